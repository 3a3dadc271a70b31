using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Operators;

/// <summary>
/// The one-time setup token: there is no default administrator password, so the first
/// administrator proves they can read the node's console (or its admin socket) instead.
/// At most one token is usable at a time; issuing a new one revokes the old.
/// </summary>
public sealed class SetupTokenService(ISetupTokenStore store, IAuditLog audit, TimeProvider time, IOptions<SetupTokenOptions> options)
{
    /// <summary>Prefix that makes a leaked setup token recognisable.</summary>
    public const string Prefix = "rampart-setup-";

    /// <summary>Issues the first token of a new node; null when one was ever issued (restarts never print it again).</summary>
    public async Task<IssuedSetupToken?> IssueFirstAsync(CancellationToken cancellationToken)
    {
        if (await store.AnyIssuedAsync(cancellationToken))
        {
            return null;
        }

        return await IssueAsync("node", "setup-token.issued", cancellationToken, null);
    }

    /// <summary>Revokes any unused token and issues a new one; <paramref name="actorDetails"/> (such as the peer process) is audited with it.</summary>
    public Task<IssuedSetupToken> RotateAsync(string actor, IReadOnlyDictionary<string, string>? actorDetails, CancellationToken cancellationToken) =>
        IssueAsync(actor, "setup-token.rotated", cancellationToken, actorDetails);

    /// <summary>True when <paramref name="presented"/> is the usable setup token; spends nothing.</summary>
    public async Task<bool> IsUsableAsync(string? presented, CancellationToken cancellationToken)
    {
        var usable = await store.GetUsableAsync(time.GetUtcNow(), cancellationToken);
        return usable is not null && SecretToken.Matches(presented, usable.TokenHash);
    }

    /// <summary>
    /// Consumes the usable token if <paramref name="presented"/> is it; audited either way.
    /// The operator issue calls this when the first administrator is created.
    /// </summary>
    public async Task<bool> TryConsumeAsync(string? presented, string actor, CancellationToken cancellationToken)
    {
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
            AuditedOutcome<bool>.Done(await TryConsumeAsync(transaction, presented, commit) is var consumed && consumed, Consumed(actor, consumed)),
            cancellationToken);
        return outcome.Value;
    }

    /// <summary>
    /// Inside a caller's audited transaction (creating the first administrator): consumes the usable
    /// token if <paramref name="presented"/> is it. The caller commits <see cref="Consumed"/> with it.
    /// </summary>
    public async Task<bool> TryConsumeAsync(IStoreTransaction transaction, string? presented, CancellationToken cancellationToken)
    {
        var usable = await store.GetUsableAsync(transaction.Now, cancellationToken);
        return usable is not null
            && SecretToken.Matches(presented, usable.TokenHash)
            && await store.TryConsumeAsync(transaction, usable.Id, transaction.Now, cancellationToken);
    }

    /// <summary>The audit record of a consumption attempt.</summary>
    public static AuditRecord Consumed(string actor, bool consumed) =>
        new(actor, "setup-token.consumed", string.Empty, consumed ? AuditOutcome.Success : AuditOutcome.Denied,
            consumed ? null : new Dictionary<string, string> { ["reason"] = "unknown, used, revoked or expired setup token" });

    private async Task<IssuedSetupToken> IssueAsync(
        string actor, string action, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? actorDetails)
    {
        // The token row and its audit entry in one transaction: no token exists that the log does not show.
        var token = SecretToken.Generate(Prefix);
        var outcome = await audit.CommitAsync(async (transaction, commit) =>
        {
            var expires = transaction.Now + options.Value.Lifetime;
            var id = await store.ReplaceAsync(transaction, SecretToken.Hash(token), transaction.Now, expires, transaction.Now, commit);
            var details = new Dictionary<string, string>(actorDetails ?? new Dictionary<string, string>())
            {
                ["expires"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            return AuditedOutcome<IssuedSetupToken>.Done(new IssuedSetupToken(token, expires),
                new AuditRecord(actor, action, $"setup-token/{id}", AuditOutcome.Success, details));
        }, cancellationToken);
        return outcome.Value;
    }
}
