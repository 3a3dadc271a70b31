using System.Globalization;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// Argon2id cost (RFC 9106 §3.1): memory in KiB (m), passes (t), lanes (p). The floor is OWASP's
/// Password Storage Cheat Sheet minimum for Argon2id — m = 19 MiB, t = 2, p = 1 — and nothing weaker
/// is accepted, from settings or from a stored hash.
/// </summary>
public sealed record Argon2Parameters(int MemoryKiB, int Passes, int Parallelism)
{
    /// <summary>OWASP's minimum: 19 MiB, 2 passes, 1 lane.</summary>
    public static Argon2Parameters OwaspMinimum { get; } = new(19 * 1024, 2, 1);

    /// <summary>The most memory a hash may ask for (1 GiB): an edited row must not exhaust the node.</summary>
    public const int MaximumMemoryKiB = 1024 * 1024;

    /// <summary>The most passes a hash may ask for.</summary>
    public const int MaximumPasses = 20;

    /// <summary>The most lanes a hash may ask for.</summary>
    public const int MaximumParallelism = 16;

    /// <summary>Bytes one derivation holds while it runs.</summary>
    public long MemoryBytes => MemoryKiB * 1024L;

    /// <summary>True when every cost is at least <paramref name="other"/>'s (lanes must match: they change the result, not the cost).</summary>
    public bool AtLeast(Argon2Parameters other) => MemoryKiB >= other.MemoryKiB && Passes >= other.Passes && Parallelism == other.Parallelism;

    /// <summary>Why these parameters are refused, or null: below the OWASP floor or above the bounds.</summary>
    public string? Problem() =>
        MemoryKiB < OwaspMinimum.MemoryKiB || MemoryKiB > MaximumMemoryKiB ? $"argon2id memory must be {OwaspMinimum.MemoryKiB} to {MaximumMemoryKiB} KiB (it is {MemoryKiB})"
        : Passes < OwaspMinimum.Passes || Passes > MaximumPasses ? $"argon2id passes must be {OwaspMinimum.Passes} to {MaximumPasses} (it is {Passes})"
        : Parallelism is < 1 or > MaximumParallelism ? $"argon2id parallelism must be 1 to {MaximumParallelism} (it is {Parallelism})"
        : null;

    /// <summary>The PHC string form <c>m=…,t=…,p=…</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"m={MemoryKiB},t={Passes},p={Parallelism}");
}
