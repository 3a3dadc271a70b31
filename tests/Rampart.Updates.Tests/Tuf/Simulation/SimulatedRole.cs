using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf.Simulation;

/// <summary>A role's keys and threshold in the simulated repository, and who actually signs its next version.</summary>
public sealed class SimulatedRole(IEnumerable<TufSigner> keys, int threshold = 1)
{
    public List<TufSigner> Keys { get; set; } = [.. keys];

    public int Threshold { get; set; } = threshold;

    /// <summary>Who signs; by default every listed key. Tests set it to sign with other keys (an attacker's, a key twice).</summary>
    public List<TufSigner>? SignWith { get; set; }

    public IEnumerable<TufSigner> Signers => SignWith ?? Keys;

    public JsonObject Node() => new()
    {
        ["keyids"] = new JsonArray([.. Keys.Select(k => (JsonNode)k.PublicKey.KeyId)]),
        ["threshold"] = Threshold,
    };
}

/// <summary>A delegation from one targets role to another (§4.5).</summary>
public sealed record SimulatedDelegation(string Name, SimulatedRole Role, bool Terminating = false, string[]? Paths = null, string[]? HashPrefixes = null);

/// <summary>Hashed bins (TAP 15): every bin is signed by the same keys.</summary>
public sealed record SimulatedBins(string Prefix, int BitLength, SimulatedRole Role);

/// <summary>A targets role (top-level or delegated): its targets and what it delegates.</summary>
public sealed class SimulatedTargets(SimulatedRole role)
{
    public SimulatedRole Role { get; } = role;

    public long Version { get; set; }

    public Dictionary<string, (byte[] Content, JsonObject? Custom)> Targets { get; } = new(StringComparer.Ordinal);

    public List<SimulatedDelegation> Delegations { get; } = [];

    public SimulatedBins? Bins { get; set; }
}
