using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Operators;

/// <summary>
/// API tokens for automation (and the tokens a login returns): random (256 bits), scoped to a
/// subset of the owner's permissions, expiring, shown once, stored hashed, revocable. A token's
/// power is re-checked on every use against the owner's current role and state.
/// </summary>
public sealed class ApiTokenService(IApiTokenStore store, UserService users, IAuditLog audit, TimeProvider time, IOptions<OperatorOptions> options)
{
    /// <summary>Prefix that makes a leaked API token recognisable.</summary>
    public const string Prefix = "rampart-api-";

    /// <summary>Longest token name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Creates a token for <paramref name="owner"/>; <paramref name="scopes"/> null means all of the owner's permissions.</summary>
    public async Task<IssuedApiToken> CreateAsync(OperatorIdentity owner, string name, IReadOnlyList<string>? scopes, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        if (owner.Name == OperatorIdentity.LocalAdmin.Name)
        {
            throw new FleetException(FleetErrorKind.Invalid, "API tokens belong to operator accounts; the local admin socket needs none");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a token name of 1 to {MaxNameLength} printable characters is required");
        }

        if (lifetime <= TimeSpan.Zero || lifetime > options.Value.MaximumTokenLifetime)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a token lives between 1 second and {options.Value.MaximumTokenLifetime.TotalDays:F0} days");
        }

        var granted = scopes ?? owner.Permissions.Order(StringComparer.Ordinal).ToArray();
        var beyond = granted.Where(scope => !owner.Has(scope)).ToArray();
        if (beyond.Length > 0)
        {
            throw new FleetException(FleetErrorKind.Forbidden, $"a token cannot hold permissions its owner lacks: {string.Join(", ", beyond)}");
        }

        var token = SecretToken.Generate(Prefix);
        var now = time.GetUtcNow();
        var created = await audit.CommitAsync(async (transaction, commit) =>
        {
            var id = await store.AddAsync(transaction, new ApiTokenRecord(0, owner.Name, name, SecretToken.Hash(token), granted, now, now + lifetime, null), commit);
            return AuditedOutcome<long>.Done(id, new AuditRecord(owner.Name, "token.created", $"token/{id}", AuditOutcome.Success, new Dictionary<string, string>
            {
                ["name"] = name,
                ["scopes"] = string.Join(",", granted),
                ["expires"] = (now + lifetime).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            }));
        }, cancellationToken);
        return new IssuedApiToken(created.Value, name, token, granted, now + lifetime);
    }

    /// <summary>The identity a presented token grants now, or null.</summary>
    public async Task<OperatorIdentity?> AuthenticateAsync(string? presented, CancellationToken cancellationToken) =>
        (await AuthenticateWithIdAsync(presented, cancellationToken)).Identity;

    /// <summary>The identity a presented token grants now and the token's id, or (null, 0).</summary>
    public async Task<(OperatorIdentity? Identity, long Id)> AuthenticateWithIdAsync(string? presented, CancellationToken cancellationToken)
    {
        if (presented is not { Length: > 0 and <= SecretToken.MaxLength } || !presented.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, 0);
        }

        var record = await store.FindByHashAsync(SecretToken.Hash(presented), cancellationToken);
        if (record is null || !SecretToken.Matches(presented, record.TokenHash) || record.Revoked is not null || record.Expires <= time.GetUtcNow())
        {
            return (null, 0);
        }

        // The owner's current role and state decide, not what they were when the token was made.
        var user = await users.GetActiveAsync(record.UserName, cancellationToken);
        return user is null ? (null, 0) : (OperatorIdentity.Of(user, record.Scopes.ToHashSet(StringComparer.Ordinal)), record.Id);
    }

    /// <summary>The tokens of a user.</summary>
    public Task<IReadOnlyList<ApiTokenRecord>> ListAsync(string userName, CancellationToken cancellationToken) => store.ListAsync(userName, cancellationToken);

    /// <summary>Revokes a token: one's own, or anyone's with users:write.</summary>
    public async Task RevokeAsync(long id, OperatorIdentity actor, CancellationToken cancellationToken)
    {
        var record = await store.GetAsync(id, cancellationToken);
        if (record is null || (record.UserName != actor.Name && !actor.Has(Permissions.UsersWrite)))
        {
            throw new FleetException(FleetErrorKind.NotFound, $"no token {id}");
        }

        await audit.CommitAsync(async (transaction, commit) =>
            await store.RevokeAsync(transaction, id, transaction.Now, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor.Name, "token.revoked", $"token/{id}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["owner"] = record.UserName, ["name"] = record.Name }))
                : throw new FleetException(FleetErrorKind.Conflict, $"token {id} is revoked already"),
            cancellationToken);
    }
}
