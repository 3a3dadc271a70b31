namespace Rampart.SupplyChain.Stores;

/// <summary>
/// Outstanding attestation challenges, one per device, shared by the nodes of a cluster and kept
/// across restarts (issue 17 item 8): the node that issues a nonce and the node that judges its
/// answer need not be the same, and each nonce is answered once.
/// </summary>
public interface IAttestationChallengeStore
{
    /// <summary>Makes <paramref name="nonce"/> the device's outstanding challenge, replacing an earlier one (which can then no longer be answered).</summary>
    Task IssueAsync(string deviceId, string nonce, DateTimeOffset issued, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the device's outstanding challenge if it is <paramref name="nonce"/> and returns when it was
    /// issued; null when it is not (never issued, answered already, superseded). Atomic: of any number of
    /// callers on any nodes, one gets the challenge.
    /// </summary>
    Task<DateTimeOffset?> ConsumeAsync(string deviceId, string nonce, CancellationToken cancellationToken);
}
