using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Enrollment;

/// <summary>
/// Bootstrap tokens (RFC 7030 §3.2.3 HTTP-based client authentication): random (256 bits), bound to
/// one device id, single use, expiring, stored hashed. A new token revokes the device's old ones.
/// </summary>
public sealed class BootstrapTokens(IBootstrapTokenStore store, IAuditLog audit, TimeProvider time, IOptions<EnrollmentOptions> options)
{
    /// <summary>Prefix that makes a leaked bootstrap token recognisable.</summary>
    public const string Prefix = "rampart-boot-";

    /// <summary>Issues a token for the device and audits it (never the token itself), in one transaction.</summary>
    public async Task<IssuedBootstrapToken> IssueAsync(string deviceId, string actor, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var (token, record) = await IssueAsync(transaction, deviceId, actor, commit);
            return AuditedOutcome<IssuedBootstrapToken>.Done(token, record);
        }, cancellationToken);
        return outcome.Value;
    }

    /// <summary>
    /// Inside a caller's audited transaction (adding a device issues its first token): revokes the
    /// device's old tokens, stores the new one's hash, and returns the token with the audit record
    /// the caller commits (its id and expiry, never the token).
    /// </summary>
    public async Task<(IssuedBootstrapToken Token, AuditRecord Record)> IssueAsync(IStoreTransaction transaction, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var token = SecretToken.Generate(Prefix);
        var expires = transaction.Now + options.Value.BootstrapTokenLifetime;
        var id = await store.ReplaceForDeviceAsync(transaction, deviceId, SecretToken.Hash(token), transaction.Now, expires, cancellationToken);
        var record = new AuditRecord(actor, "bootstrap-token.issued", $"device/{deviceId}", AuditOutcome.Success,
            new Dictionary<string, string>
            {
                ["token-id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["expires"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
        return (new IssuedBootstrapToken(deviceId, token, expires), record);
    }

    /// <summary>The stored token the presented one matches, if it is still usable now.</summary>
    public async Task<BootstrapTokenRecord?> FindUsableAsync(string? presented, CancellationToken cancellationToken)
    {
        if (presented is not { Length: > 0 and <= SecretToken.MaxLength })
        {
            return null;
        }

        var record = await store.FindByHashAsync(SecretToken.Hash(presented), cancellationToken);
        var now = time.GetUtcNow();
        return record is not null && SecretToken.Matches(presented, record.TokenHash) && record.Used is null && record.Revoked is null && record.Expires > now
            ? record
            : null;
    }

    /// <summary>Spends the token; false when someone spent it first.</summary>
    public Task<bool> TryUseAsync(IStoreTransaction transaction, BootstrapTokenRecord record, CancellationToken cancellationToken) =>
        store.TryUseAsync(transaction, record.Id, transaction.Now, cancellationToken);

    /// <summary>Revokes the device's unused tokens (on retirement), inside the retirement's transaction.</summary>
    public Task<int> RevokeForDeviceAsync(IStoreTransaction transaction, string deviceId, CancellationToken cancellationToken) =>
        store.RevokeForDeviceAsync(transaction, deviceId, transaction.Now, cancellationToken);
}
