using System.Security.Cryptography;
using System.Text.Json;

namespace Rampart.Fleet.Audit;

/// <summary>
/// The audit entry that hands the chain from one audit key to the next. It carries both public keys
/// (SubjectPublicKeyInfo, base64) and their key ids; the old key signs a checkpoint at exactly this
/// entry before the new key signs anything, so the hand-over is vouched for by the key it replaces,
/// and every later checkpoint of the new key covers it through the hash chain. A verifier that trusts
/// either key therefore verifies the whole log (<see cref="AuditVerifier"/>).
/// </summary>
public static class AuditKeyRotation
{
    /// <summary>The entry's action.</summary>
    public const string Action = "audit.key-rotated";

    /// <summary>
    /// A key's public half as the entry carries it, with the ML-DSA-65 companions' public keys when the
    /// keys have them (rotations from before ML-DSA name none).
    /// </summary>
    public sealed record Handover(string FromKeyId, ECDsa FromKey, string ToKeyId, ECDsa ToKey, byte[]? FromMlDsa65 = null, byte[]? ToMlDsa65 = null) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            FromKey.Dispose();
            ToKey.Dispose();
        }
    }

    /// <summary>
    /// The record that rotates from <paramref name="from"/> to <paramref name="to"/>, naming their
    /// ML-DSA-65 companions when given: the old keys' checkpoint at this entry vouches for both new keys.
    /// </summary>
    public static AuditRecord Record(string actor, ECDsa from, ECDsa to, byte[]? fromMlDsa65 = null, byte[]? toMlDsa65 = null)
    {
        var details = new Dictionary<string, string>
        {
            ["from"] = AuditSigningKey.KeyIdOf(from),
            ["from-key"] = Convert.ToBase64String(from.ExportSubjectPublicKeyInfo()),
            ["to"] = AuditSigningKey.KeyIdOf(to),
            ["to-key"] = Convert.ToBase64String(to.ExportSubjectPublicKeyInfo()),
        };
        if (fromMlDsa65 is not null)
        {
            details[FromMlDsa65] = Convert.ToBase64String(fromMlDsa65);
        }

        if (toMlDsa65 is not null)
        {
            details[ToMlDsa65] = Convert.ToBase64String(toMlDsa65);
        }

        return new(actor, Action, "audit", AuditOutcome.Success, details);
    }

    private const string FromMlDsa65 = "from-ml-dsa-65";

    private const string ToMlDsa65 = "to-ml-dsa-65";

    /// <summary>
    /// The hand-over an entry records, or null when it is not a rotation. A rotation entry whose keys
    /// do not parse or do not match their ids is reported through <paramref name="problem"/>.
    /// </summary>
    public static Handover? Read(AuditEntry entry, out string? problem)
    {
        problem = null;
        if (entry.Action != Action || entry.Outcome != AuditOutcomeNames.Of(AuditOutcome.Success))
        {
            return null;
        }

        ECDsa? from = null;
        ECDsa? to = null;
        try
        {
            using var details = JsonDocument.Parse(entry.Details);
            var root = details.RootElement;
            from = Key(root, "from-key");
            to = Key(root, "to-key");
            var (fromId, toId) = (root.GetProperty("from").GetString(), root.GetProperty("to").GetString());
            if (fromId != AuditSigningKey.KeyIdOf(from) || toId != AuditSigningKey.KeyIdOf(to))
            {
                throw new FormatException("a key id does not match its key");
            }

            return new Handover(fromId, from, toId, to, MlDsaKey(root, FromMlDsa65), MlDsaKey(root, ToMlDsa65));
        }
        catch (Exception exception) when (exception is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or CryptographicException)
        {
            from?.Dispose();
            to?.Dispose();
            problem = $"entry {entry.Sequence} rotates the audit key but does not name both keys correctly ({exception.Message})";
            return null;
        }
    }

    private static byte[]? MlDsaKey(JsonElement details, string name)
    {
        if (!details.TryGetProperty(name, out var value))
        {
            return null;
        }

        var key = Convert.FromBase64String(value.GetString() ?? string.Empty);
        return key.Length == Rampart.Updates.Firmware.MlDsa65.PublicKeyLength ? key : throw new FormatException($"{name} is not an ML-DSA-65 public key");
    }

    private static ECDsa Key(JsonElement details, string name)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(details.GetProperty(name).GetString() ?? string.Empty), out _);
            return key.KeySize == 256 ? key : throw new FormatException($"{name} is not a P-256 key");
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
