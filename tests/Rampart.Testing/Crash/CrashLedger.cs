using System.Collections.Concurrent;

namespace Rampart.Testing.Crash;

/// <summary>
/// What the node acknowledged (answered with success) before it was killed: each of it must be
/// there after the restart. Filled concurrently by the load's workers.
/// </summary>
public sealed class CrashLedger
{
    private int _count;

    /// <summary>Devices added (HTTP 201).</summary>
    public ConcurrentBag<string> Added { get; } = [];

    /// <summary>Certificates issued by enrollment or renewal (HTTP 200), as device and serial.</summary>
    public ConcurrentBag<(string Device, string Serial)> Issued { get; } = [];

    /// <summary>Certificates revoked one by one (HTTP 200).</summary>
    public ConcurrentBag<string> Revoked { get; } = [];

    /// <summary>Devices retired (HTTP 200).</summary>
    public ConcurrentBag<string> Retired { get; } = [];

    /// <summary>Devices quarantined (HTTP 200).</summary>
    public ConcurrentBag<string> Quarantined { get; } = [];

    /// <summary>Bootstrap tokens issued again (HTTP 200): the device and the token's expiry.</summary>
    public ConcurrentBag<string> Reissued { get; } = [];

    /// <summary>Setup tokens rotated (HTTP 200).</summary>
    public ConcurrentBag<string> SetupTokens { get; } = [];

    /// <summary>Operator accounts activated (HTTP 200).</summary>
    public ConcurrentBag<string> Activated { get; } = [];

    /// <summary>Login sessions: the user and whether the logout (the token's revocation) was acknowledged too.</summary>
    public ConcurrentBag<(string User, bool LoggedOut)> Sessions { get; } = [];

    /// <summary>Releases created (HTTP 200), by id.</summary>
    public ConcurrentBag<string> Releases { get; } = [];

    /// <summary>Releases promoted to production (the approval answered executed), by id.</summary>
    public ConcurrentBag<string> Promoted { get; } = [];

    /// <summary>Rollouts created (HTTP 200), by id, with the states acknowledged and asked for.</summary>
    public ConcurrentDictionary<long, RolloutStates> Rollouts { get; } = new();

    /// <summary>Acknowledgements so far, of every kind.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts one acknowledgement (after it is in its bag).</summary>
    public void Acknowledge() => Interlocked.Increment(ref _count);

    /// <summary>One line per kind, for the report.</summary>
    public string Summary() =>
        $"added {Added.Count}, issued {Issued.Count}, revoked {Revoked.Count}, retired {Retired.Count}, " +
        $"quarantined {Quarantined.Count}, tokens reissued {Reissued.Count}, setup tokens {SetupTokens.Count}, " +
        $"operators activated {Activated.Count}, logins {Sessions.Count}, releases {Releases.Count}, promoted {Promoted.Count}, rollouts {Rollouts.Count}, " +
        $"rollout moves {Rollouts.Values.Sum(r => r.Moves)}";

    /// <summary>
    /// A rollout's last acknowledged state and the state a request in flight asks for: after a kill the
    /// stored state is one of the two (the request may have committed without its answer arriving).
    /// </summary>
    public sealed class RolloutStates
    {
        private string _acknowledged = "running";
        private string? _asking;
        private int _moves;

        /// <summary>The last state the node answered with.</summary>
        public string Last => Volatile.Read(ref _acknowledged);

        /// <summary>The state of the request in flight, if any.</summary>
        public string? Asked => Volatile.Read(ref _asking);

        /// <summary>Acknowledged moves (pause, resume, cancel).</summary>
        public int Moves => Volatile.Read(ref _moves);

        /// <summary>A request for <paramref name="state"/> is about to be sent.</summary>
        public void Asking(string state) => Volatile.Write(ref _asking, state);

        /// <summary>The node answered: the rollout is in <paramref name="state"/>.</summary>
        public void Acknowledged(string state)
        {
            if (Volatile.Read(ref _asking) is not null)
            {
                Interlocked.Increment(ref _moves);
            }

            Volatile.Write(ref _acknowledged, state);
            Volatile.Write(ref _asking, null);
        }
    }
}
