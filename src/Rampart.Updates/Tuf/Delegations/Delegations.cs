using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>A role a targets role delegates to (§4.5): its keys, threshold, and whether the search ends with it.</summary>
internal sealed record DelegatedRole(string Name, JsonObject RoleNode, bool Terminating);

/// <summary>
/// The <c>delegations</c> of a targets role (§4.5), checked for shape when the role is loaded: <c>keys</c>,
/// and either <c>roles</c> (each with a unique name that is no top-level role's, <c>keyids</c>,
/// <c>threshold</c>, <c>terminating</c>, and either <c>paths</c> or <c>path_hash_prefixes</c>) or
/// <c>succinct_roles</c> (TAP 15 hashed bins: <c>bit_length</c> 1–32 and <c>name_prefix</c>).
/// </summary>
internal sealed class Delegations
{
    /// <summary>Most delegated roles one targets role may list (a bound on what an attacker can make the client parse).</summary>
    public const int MaxRoles = 10_000;

    private readonly List<(DelegatedRole Role, JsonArray? Paths, JsonArray? Prefixes)> _roles = [];
    private readonly JsonObject? _succinct;
    private readonly int _bitLength;
    private readonly string _prefix;

    private Delegations(JsonObject keys, JsonObject? succinct = null, int bitLength = 0, string prefix = "") =>
        (Keys, _succinct, _bitLength, _prefix) = (keys, succinct, bitLength, prefix);

    public JsonObject Keys { get; }

    /// <summary>The delegations of a targets role's <c>signed</c> part, or null when it delegates nothing.</summary>
    public static Delegations? Parse(JsonObject signed, string owner)
    {
        if (signed["delegations"] is not { } node)
        {
            return null;
        }

        TufException Bad(string why) => new(TufFailure.Malformed, $"the delegations of {owner} are malformed: {why}");
        if (node is not JsonObject delegations || delegations["keys"] is not JsonObject keys)
        {
            throw Bad("no keys object");
        }

        var roles = delegations["roles"];
        var succinct = delegations["succinct_roles"];
        if ((roles is null) == (succinct is null))
        {
            throw Bad("exactly one of roles and succinct_roles must be given");
        }

        if (succinct is not null)
        {
            return ParseSuccinct(keys, succinct, Bad);
        }

        if (roles is not JsonArray list || list.Count > MaxRoles)
        {
            throw Bad($"roles is not a list of at most {MaxRoles}");
        }

        var result = new Delegations(keys);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in list)
        {
            if (entry is not JsonObject role || Json.Text(role["name"]) is not { Length: > 0 } name || !names.Add(name) || RoleNames.TopLevel.Contains(name))
            {
                throw Bad("a role has no name, a duplicate name, or a top-level role's name");
            }

            if (role["terminating"] is not JsonValue t || !t.TryGetValue<bool>(out var terminating) || !IsRole(role))
            {
                throw Bad($"role '{name}' has no terminating flag, keyids or threshold");
            }

            var paths = role["paths"];
            var prefixes = role["path_hash_prefixes"];
            if ((paths is null) == (prefixes is null) || !AllStrings(paths ?? prefixes))
            {
                throw Bad($"role '{name}' must have either paths or path_hash_prefixes, as lists of strings");
            }

            result._roles.Add((new DelegatedRole(name, role, terminating), paths as JsonArray, prefixes as JsonArray));
        }

        return result;
    }

    /// <summary>
    /// The roles trusted for <paramref name="targetPath"/>, in the order listed (§5.6.7.2.1): those whose
    /// patterns match it or whose hash prefixes its SHA-256 starts with; for hashed bins, the one bin.
    /// </summary>
    public IEnumerable<DelegatedRole> RolesFor(string targetPath)
    {
        if (_succinct is not null)
        {
            yield return new DelegatedRole(BinFor(targetPath), _succinct, Terminating: false);
            yield break;
        }

        string? hash = null;
        foreach (var (role, paths, prefixes) in _roles)
        {
            var trusted = paths is not null
                ? paths.Any(p => PathPattern.Matches(Json.Text(p)!, targetPath))
                : prefixes!.Any(p => (hash ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(targetPath)))).StartsWith(Json.Text(p)!, StringComparison.Ordinal));
            if (trusted)
            {
                yield return role;
            }
        }
    }

    /// <summary>The role description (keyids, threshold) of the delegated role <paramref name="name"/>, or null when it is not delegated here.</summary>
    public JsonObject? RoleNode(string name)
    {
        if (_succinct is not null)
        {
            return IsBin(name) ? _succinct : null;
        }

        return _roles.FirstOrDefault(r => r.Role.Name == name).Role?.RoleNode;
    }

    private static Delegations ParseSuccinct(JsonObject keys, JsonNode succinct, Func<string, TufException> bad)
    {
        if (succinct is not JsonObject roles || !IsRole(roles) || roles["bit_length"] is not JsonValue b || !b.TryGetValue<int>(out var bits) || bits is < 1 or > 32
            || Json.Text(roles["name_prefix"]) is not { } prefix)
        {
            throw bad("succinct_roles needs keyids, threshold, a bit_length of 1 to 32 and a name_prefix");
        }

        return new Delegations(keys, roles, bits, prefix);
    }

    // TAP 15: the bin is the first bit_length bits of the path's SHA-256, named PREFIX-HEX with as many hex digits as the last bin needs.
    private string BinFor(string targetPath)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(targetPath));
        var bin = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash) >> (32 - _bitLength);
        return $"{_prefix}-{bin.ToString($"x{SuffixLength}", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private int SuffixLength => ((1UL << _bitLength) - 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture).Length;

    private bool IsBin(string name) =>
        name.StartsWith(_prefix + "-", StringComparison.Ordinal) && name.Length == _prefix.Length + 1 + SuffixLength
        && ulong.TryParse(name.AsSpan(_prefix.Length + 1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var bin)
        && bin < 1UL << _bitLength && name[(_prefix.Length + 1)..].All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static bool IsRole(JsonObject role) =>
        role["threshold"] is JsonValue t && t.TryGetValue<int>(out var threshold) && threshold >= 1 && role["keyids"] is JsonArray ids && AllStrings(ids);

    private static bool AllStrings(JsonNode? node) => node is JsonArray list && list.All(item => Json.Text(item) is not null);
}
