using Microsoft.Extensions.Options;
using Rampart.Fleet.Errors;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// Hashes and checks operator passwords with Argon2id at the configured cost, a bounded number at a
/// time. Each Argon2id derivation holds <see cref="Argon2Parameters.MemoryBytes"/> while it runs, so
/// a burst of logins could otherwise allocate without bound: derivations take a slot of a semaphore
/// sized from the memory the process may use; a login that cannot get one within
/// <see cref="OperatorOptions.PasswordHashWait"/> is refused as rate-limited (429, retry shortly)
/// instead of queueing forever or exhausting memory.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    /// <summary>The share of the memory available to the process that password hashing may hold at once.</summary>
    public const int MemoryShareDivisor = 8;

    /// <summary>The most derivations at once, whatever the memory (more than the cores only queue inside the CPU).</summary>
    public const int MaximumSlots = 64;

    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _wait;
    private readonly Lazy<PasswordHash> _decoy;

    public PasswordHasher(IOptions<OperatorOptions> options)
    {
        var value = options.Value;
        Parameters = new Argon2Parameters(value.PasswordMemoryKiB, value.PasswordPasses, value.PasswordParallelism);
        if (Parameters.Problem() is { } problem)
        {
            throw new OptionsValidationException(OperatorOptions.Section, typeof(OperatorOptions), [problem]);
        }

        Slots = value.ConcurrentPasswordHashes > 0 ? value.ConcurrentPasswordHashes : SlotsFor(Parameters, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        _slots = new SemaphoreSlim(Slots, Slots);
        _wait = value.PasswordHashWait;
        _decoy = new Lazy<PasswordHash>(() => Argon2idPasswordHash.Create("decoy-" + Guid.NewGuid(), Parameters));
    }

    /// <summary>The cost new hashes get; stored hashes below it are replaced at the next successful login.</summary>
    public Argon2Parameters Parameters { get; }

    /// <summary>How many derivations may run at once.</summary>
    public int Slots { get; }

    /// <summary>Slots for a memory budget: an eighth of <paramref name="availableBytes"/> over one derivation's memory, at least 1, at most <see cref="MaximumSlots"/>.</summary>
    public static int SlotsFor(Argon2Parameters parameters, long availableBytes) =>
        (int)Math.Clamp(availableBytes / MemoryShareDivisor / parameters.MemoryBytes, 1, MaximumSlots);

    /// <summary>A new Argon2id hash of <paramref name="password"/>.</summary>
    public async Task<PasswordHash> HashAsync(string password, CancellationToken cancellationToken)
    {
        using var slot = await AcquireAsync(cancellationToken);
        return Argon2idPasswordHash.Create(password, Parameters);
    }

    /// <summary>
    /// True when <paramref name="presented"/> matches <paramref name="stored"/>; a null
    /// <paramref name="stored"/> (no such user) spends the same work on a decoy and is false.
    /// </summary>
    public async Task<bool> VerifyAsync(PasswordHash? stored, string? presented, CancellationToken cancellationToken)
    {
        using var slot = await AcquireAsync(cancellationToken);
        if (stored is null)
        {
            _decoy.Value.Verify(presented); // the same work as for a real user
            return false;
        }

        return stored.Verify(presented);
    }

    /// <summary>True when <paramref name="stored"/> should be replaced by a hash at <see cref="Parameters"/>.</summary>
    public bool NeedsRehash(PasswordHash stored) => stored.IsWeakerThan(Parameters);

    /// <summary>
    /// One derivation's slot, released when disposed; throws a rate-limited <see cref="FleetException"/>
    /// when none frees up within the configured wait.
    /// </summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(_wait, cancellationToken))
        {
            throw new FleetException(FleetErrorKind.RateLimited, "the node is busy checking other passwords; retry in a few seconds");
        }

        return new Slot(_slots);
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
