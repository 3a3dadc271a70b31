using System.Security.Cryptography;
using System.Text;
using Rampart.Storage.Sql;
using Rampart.SupplyChain.Stores;

namespace Rampart.Storage.SupplyChain;

/// <summary>
/// Outstanding attestation challenges (migration 0023), on either provider. Consuming is one
/// <c>DELETE … RETURNING</c>: the row goes to exactly one caller, so an answer judged on two nodes at
/// once (or replayed) passes once. The nonce is stored and matched as its SHA-256.
/// </summary>
public sealed class AttestationChallengeStore(IStoreDatabase database) : IAttestationChallengeStore
{
    /// <inheritdoc />
    public Task IssueAsync(string deviceId, string nonce, DateTimeOffset issued, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO attestation_challenges (device_id, nonce_sha256, issued_ms) VALUES (@d, @h, @at) " +
            "ON CONFLICT (device_id) DO UPDATE SET nonce_sha256 = excluded.nonce_sha256, issued_ms = excluded.issued_ms",
            cancellationToken, ("d", deviceId), ("h", Hash(nonce)), ("at", issued.ToUnixMs()));

    /// <inheritdoc />
    public async Task<DateTimeOffset?> ConsumeAsync(string deviceId, string nonce, CancellationToken cancellationToken) =>
        await database.ScalarAsync(
            "DELETE FROM attestation_challenges WHERE device_id = @d AND nonce_sha256 = @h RETURNING issued_ms",
            cancellationToken, ("d", deviceId), ("h", Hash(nonce))) is { } issued and not DBNull
            ? DbCommands.FromUnixMs(Convert.ToInt64(issued, System.Globalization.CultureInfo.InvariantCulture))
            : null;

    private static string Hash(string nonce) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nonce)));
}
