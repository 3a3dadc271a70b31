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

    /// <summary>Acknowledgements so far, of every kind.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts one acknowledgement (after it is in its bag).</summary>
    public void Acknowledge() => Interlocked.Increment(ref _count);

    /// <summary>One line per kind, for the report.</summary>
    public string Summary() =>
        $"added {Added.Count}, issued {Issued.Count}, revoked {Revoked.Count}, retired {Retired.Count}, " +
        $"quarantined {Quarantined.Count}, tokens reissued {Reissued.Count}, setup tokens {SetupTokens.Count}, " +
        $"operators activated {Activated.Count}, logins {Sessions.Count}, releases {Releases.Count}";
}
