namespace Rampart.SupplyChain.Stores;

/// <summary>What the store knew of a nonce when an answer to it came (issue 17 item 8).</summary>
public enum ChallengeStanding
{
    /// <summary>The device's newest challenge, not answered before: this answer took it.</summary>
    Taken,

    /// <summary>A challenge of the device that a newer one replaced, not answered before: this answer took it, the newer one counts.</summary>
    Superseded,

    /// <summary>Answered already by exactly these bytes, the device's last answer (a resend after a reconnect, MQTT §4.4), on whichever node.</summary>
    Resent,

    /// <summary>Answered already, and these bytes are not the device's last answer (an older answer again, or other bytes): a replay.</summary>
    Spent,

    /// <summary>Never issued to this device (or long forgotten): a replay or a forgery.</summary>
    Unknown,
}

/// <summary>The standing of an answered nonce and when it was issued (null when <see cref="ChallengeStanding.Unknown"/>).</summary>
public sealed record ChallengeOutcome(ChallengeStanding Standing, DateTimeOffset? Issued);

/// <summary>A device's newest challenge, unanswered past its deadline. <paramref name="Token"/> names it to <see cref="IAttestationChallengeStore.ClaimUnansweredAsync"/>.</summary>
public sealed record UnansweredChallenge(string DeviceId, string Token, DateTimeOffset Issued, bool SecondChance);

/// <summary>
/// Attestation challenges, the last <see cref="KeptPerDevice"/> per device, answered or not, shared by
/// the nodes of a cluster and kept across restarts (issue 17 item 8): the node that issues a nonce and
/// the node that judges its answer need not be the same, each nonce is taken by one answer, and what an
/// answer's nonce was (newest, replaced, already answered by these bytes or others) is the same
/// wherever and whenever the answer is judged. Nonces and answers are kept as SHA-256 only.
/// </summary>
public interface IAttestationChallengeStore
{
    /// <summary>Challenges kept per device (older ones are forgotten: an answer to one is <see cref="ChallengeStanding.Unknown"/>).</summary>
    const int KeptPerDevice = 8;

    /// <summary>
    /// Makes <paramref name="nonce"/> the device's newest challenge: an older one still unanswered can
    /// then only be answered as <see cref="ChallengeStanding.Superseded"/>. <paramref name="secondChance"/>:
    /// sent because the previous one went unanswered.
    /// </summary>
    Task IssueAsync(string deviceId, string nonce, DateTimeOffset issued, bool secondChance, CancellationToken cancellationToken);

    /// <summary>
    /// Records an answer (<paramref name="answerSha256"/>: the SHA-256 of its bytes) to <paramref name="nonce"/>,
    /// received at <paramref name="answered"/>, and says what the nonce was. Atomic: of any number of callers on
    /// any nodes, one takes a nonce.
    /// </summary>
    Task<ChallengeOutcome> AnswerAsync(string deviceId, string nonce, byte[] answerSha256, DateTimeOffset answered, CancellationToken cancellationToken);

    /// <summary>
    /// Devices' newest challenges issued before <paramref name="issuedBefore"/>, neither answered nor
    /// claimed, oldest first, at most <paramref name="max"/>. Older unanswered challenges a newer one
    /// replaced are set aside on the way (the newer one is what counts).
    /// </summary>
    Task<IReadOnlyList<UnansweredChallenge>> OverdueAsync(DateTimeOffset issuedBefore, int max, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Claims an overdue challenge for its verdict; true for exactly one caller across the cluster, false once answered or claimed.</summary>
    Task<bool> ClaimUnansweredAsync(UnansweredChallenge challenge, DateTimeOffset now, CancellationToken cancellationToken);
}
