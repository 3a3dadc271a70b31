using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// The <c>hashes</c> of a target or metadata file (§4.4, §4.5): <c>{"sha256": hex, "sha512": hex, …}</c>.
/// Every listed hash the client supports must match; a file none of whose hashes it supports is refused,
/// because it could not be checked at all.
/// </summary>
public static class TufHashes
{
    /// <summary>The algorithms checked.</summary>
    public static readonly IReadOnlyList<string> Supported = ["sha256", "sha512"];

    /// <summary>Null when <paramref name="data"/> matches every supported hash in <paramref name="hashes"/> (at least one); else why not.</summary>
    public static string? Mismatch(JsonObject hashes, ReadOnlySpan<byte> data)
    {
        var checkedAny = false;
        foreach (var (algorithm, value) in hashes)
        {
            if (!Supported.Contains(algorithm))
            {
                continue;
            }

            byte[] expected;
            try
            {
                expected = Convert.FromHexString(Json.Text(value) ?? "not hex");
            }
            catch (FormatException)
            {
                return $"its {algorithm} is not hex";
            }

            var actual = algorithm == "sha256" ? SHA256.HashData(data) : SHA512.HashData(data);
            if (!CryptographicOperations.FixedTimeEquals(expected, actual))
            {
                return $"its {algorithm} does not match";
            }

            checkedAny = true;
        }

        return checkedAny ? null : $"it lists no hash this client supports ({string.Join(", ", Supported)}), only {string.Join(", ", hashes.Select(p => p.Key))}";
    }
}
