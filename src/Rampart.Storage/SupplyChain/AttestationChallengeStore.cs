using System.Security.Cryptography;
using System.Text;
using Rampart.Storage.Sql;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage.SupplyChain;

/// <summary>
/// Attestation nonces (migration 0032, replacing 0023's one outstanding challenge per device), on either
/// provider. Answering is one <c>UPDATE … WHERE answer_sha256 IS NULL … RETURNING</c>: the row goes to
/// exactly one caller, so an answer judged on two nodes at once (or replayed) is taken once; what an
/// answer that takes nothing meets (these bytes before, other bytes, nothing) is read from the same row,
/// so every node judges it alike. Nonces and answers are stored and matched as SHA-256.
/// </summary>
public sealed class AttestationChallengeStore(IStoreDatabase database) : IAttestationChallengeStore
{
    /// <inheritdoc />
    public async Task IssueAsync(string deviceId, string nonce, DateTimeOffset issued, bool secondChance, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(
            "INSERT INTO attestation_nonces (device_id, nonce_sha256, issued_ms, second_chance) VALUES (@d, @h, @at, @second) ON CONFLICT (device_id, nonce_sha256) DO NOTHING",
            cancellationToken, ("d", deviceId), ("h", Hash(nonce)), ("at", issued.ToUnixMs()), ("second", secondChance));

        // Bounded per device: the newest few are what a late, resent or superseded answer can meet.
        await database.ExecuteAsync(
            $"DELETE FROM attestation_nonces WHERE device_id = @d AND seq <= (SELECT seq FROM attestation_nonces WHERE device_id = @d ORDER BY seq DESC LIMIT 1 OFFSET {IAttestationChallengeStore.KeptPerDevice})",
            cancellationToken, ("d", deviceId));
    }

    /// <inheritdoc />
    public async Task<ChallengeOutcome> AnswerAsync(string deviceId, string nonce, byte[] answerSha256, DateTimeOffset answered, CancellationToken cancellationToken)
    {
        var hash = Hash(nonce);
        var taken = await database.QueryAsync(
            "UPDATE attestation_nonces SET answer_sha256 = @a, answered_ms = @at WHERE device_id = @d AND nonce_sha256 = @h AND answer_sha256 IS NULL " +
            "RETURNING issued_ms, CASE WHEN seq = (SELECT MAX(n.seq) FROM attestation_nonces n WHERE n.device_id = @d) THEN 1 ELSE 0 END",
            reader => (Issued: DbCommands.FromUnixMs(reader.GetInt64(0)), Newest: DbCommands.ToInt64(reader.GetValue(1)) == 1),
            cancellationToken, ("a", Convert.ToHexStringLower(answerSha256)), ("at", answered.ToUnixMs()), ("d", deviceId), ("h", hash));
        if (taken is [var row])
        {
            return new ChallengeOutcome(row.Newest ? ChallengeStanding.Taken : ChallengeStanding.Superseded, row.Issued);
        }

        // Taken before: a resend only if these are the bytes of the device's last answer (the SDK resends its
        // unacknowledged publish after a reconnect); an older answer again is a replay.
        var before = await database.QueryAsync(
            "SELECT issued_ms, answer_sha256, CASE WHEN answered_ms >= (SELECT MAX(n.answered_ms) FROM attestation_nonces n WHERE n.device_id = @d) THEN 1 ELSE 0 END " +
            "FROM attestation_nonces WHERE device_id = @d AND nonce_sha256 = @h",
            reader => (Issued: DbCommands.FromUnixMs(reader.GetInt64(0)), Answer: reader.IsDBNull(1) ? null : reader.GetString(1), Last: DbCommands.ToInt64(reader.GetValue(2)) == 1),
            cancellationToken, ("d", deviceId), ("h", hash));
        if (before is not [var earlier] || earlier.Answer is null)
        {
            return new ChallengeOutcome(ChallengeStanding.Unknown, null);
        }

        // Constant time: the stored hash is of what the device sent, compared with what a client sends now.
        var same = CryptographicOperations.FixedTimeEquals(Convert.FromHexString(earlier.Answer), answerSha256);
        return new ChallengeOutcome(same && earlier.Last ? ChallengeStanding.Resent : ChallengeStanding.Spent, earlier.Issued);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UnansweredChallenge>> OverdueAsync(DateTimeOffset issuedBefore, int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Open = "answer_sha256 IS NULL AND unanswered_ms IS NULL AND issued_ms < @before";
        const string Newest = "seq = (SELECT MAX(n.seq) FROM attestation_nonces n WHERE n.device_id = attestation_nonces.device_id)";
        await database.ExecuteAsync($"UPDATE attestation_nonces SET unanswered_ms = @now WHERE {Open} AND NOT ({Newest})",
            cancellationToken, ("before", issuedBefore.ToUnixMs()), ("now", now.ToUnixMs()));
        return await database.QueryAsync(
            $"SELECT device_id, nonce_sha256, issued_ms, second_chance FROM attestation_nonces WHERE {Open} AND {Newest} ORDER BY issued_ms LIMIT @max",
            reader => new UnansweredChallenge(reader.GetString(0), reader.GetString(1), DbCommands.FromUnixMs(reader.GetInt64(2)), reader.GetBoolean(3)),
            cancellationToken, ("before", issuedBefore.ToUnixMs()), ("max", max));
    }

    /// <inheritdoc />
    public async Task<bool> ClaimUnansweredAsync(UnansweredChallenge challenge, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE attestation_nonces SET unanswered_ms = @now WHERE device_id = @d AND nonce_sha256 = @h AND answer_sha256 IS NULL AND unanswered_ms IS NULL",
            cancellationToken, ("now", now.ToUnixMs()), ("d", challenge.DeviceId), ("h", challenge.Token)) == 1;

    private static string Hash(string nonce) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nonce)));
}
