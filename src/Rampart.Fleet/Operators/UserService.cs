using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Fleet.Operators.Totp;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Operators;

/// <summary>
/// Operator accounts: invitations, activation (password, then TOTP where the role requires it),
/// login with backoff and lockout, disabling. The first administrator activates with the node's
/// setup token; there is no default account.
/// </summary>
public sealed class UserService
{
    /// <summary>Prefix that makes a leaked invitation recognisable.</summary>
    public const string InvitationPrefix = "rampart-invite-";

    private const string Generic = "wrong user name, password or code";
    private readonly IUserStore _users;
    private readonly SetupTokenService _setup;
    private readonly IAuditLog _audit;
    private readonly SecretBox _box;
    private readonly TimeProvider _time;
    private readonly OperatorOptions _options;
    private readonly FailureBackoff _backoff;
    private readonly PasswordHasher _hasher;

    public UserService(IUserStore users, SetupTokenService setup, IAuditLog audit, SecretBox box, TimeProvider time, IOptions<OperatorOptions> options, PasswordHasher hasher)
    {
        _hasher = hasher;
        _users = users;
        _setup = setup;
        _audit = audit;
        _box = box;
        _time = time;
        _options = options.Value;
        _backoff = new FailureBackoff(time, freeFailures: 3, TimeSpan.FromSeconds(1), _options.LockoutDuration);
    }

    /// <summary>Invites a new operator with a role and optional site/zone scope.</summary>
    public async Task<IssuedInvitation> InviteAsync(string name, string roleName, IReadOnlyList<string>? sites, IReadOnlyList<string>? zones, string actor, CancellationToken cancellationToken)
    {
        if (!OperatorNames.IsValid(name))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"user name '{Echo.Of(name)}' must match [a-z0-9][a-z0-9._-]{{0,63}} and not be reserved");
        }

        var role = OperatorRole.Find(roleName)
            ?? throw new FleetException(FleetErrorKind.Invalid, $"unknown role '{Echo.Of(roleName)}'; one of: {string.Join(", ", OperatorRole.Assignable.Select(r => r.Name))}");
        if (await _users.GetAsync(name, cancellationToken) is { Activated: true })
        {
            throw new FleetException(FleetErrorKind.Conflict, $"user {name} exists already");
        }

        var scope = (sites ?? []).Concat(zones ?? []);
        if (scope.Any(value => !Inventory.DeviceIds.IsValid(value)))
        {
            throw new FleetException(FleetErrorKind.Invalid, "sites and zones must each be " + Inventory.DeviceIds.Rule);
        }

        var token = SecretToken.Generate(InvitationPrefix);
        var expires = _time.GetUtcNow() + _options.InvitationLifetime;
        var invited = new AuditRecord(actor, "user.invited", $"user/{name}", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["role"] = role.Name,
            ["sites"] = string.Join(",", sites ?? []),
            ["zones"] = string.Join(",", zones ?? []),
        });
        await _audit.CommitAsync(async (transaction, commit) =>
        {
            await _users.AddInvitationAsync(transaction, new Invitation(0, SecretToken.Hash(token), name, role.Name, sites ?? [], zones ?? [], actor, expires), commit);
            return AuditedOutcome<bool>.Done(true, invited);
        }, cancellationToken);
        return new IssuedInvitation(name, role.Name, token, expires);
    }

    /// <summary>
    /// Sets the password with an invitation or the setup token (then <paramref name="chosenName"/>
    /// names the first administrator). Roles without TOTP are active at once; others get a TOTP
    /// secret and activate with <see cref="ConfirmAsync"/>.
    /// </summary>
    public async Task<ActivationResult> ActivateAsync(string token, string? chosenName, string password, CancellationToken cancellationToken)
    {
        var grant = await ResolveAsync(token, chosenName, cancellationToken);
        if (PasswordPolicy.Check(password, grant.Name) is { } weak)
        {
            throw new FleetException(FleetErrorKind.Invalid, weak);
        }

        var role = OperatorRole.Find(grant.Role)!;
        var secret = role.RequiresTotp ? RandomNumberGenerator.GetBytes(20) : null;
        var user = new OperatorUser(grant.Name, role.Name, grant.Sites, grant.Zones, await _hasher.HashAsync(password, cancellationToken),
            secret is null ? null : _box.Seal(secret, Encoding.UTF8.GetBytes(grant.Name)), Activated: false, Disabled: false, 0, null, 0, _time.GetUtcNow());
        // The pending account and what follows from it (activation, or the TOTP secret issued) in one transaction.
        await _audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await _users.TryPutPendingAsync(transaction, user, commit))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"user {grant.Name} exists already");
            }

            return secret is null
                ? await CompleteAsync(transaction, grant, 0, commit)
                : AuditedOutcome<bool>.Done(true, new AuditRecord(grant.Name, "user.totp-issued", $"user/{grant.Name}", AuditOutcome.Success));
        }, cancellationToken);
        return secret is null
            ? new ActivationResult(grant.Name, role.Name, true, null, null)
            : new ActivationResult(grant.Name, role.Name, false, TotpGenerator.Uri("Rampart", grant.Name, secret), Base32.Encode(secret));
    }

    /// <summary>Activates a pending account once a TOTP code shows the secret was stored; spends the invitation or setup token.</summary>
    public async Task ConfirmAsync(string token, string? chosenName, string code, CancellationToken cancellationToken)
    {
        var grant = await ResolveAsync(token, chosenName, cancellationToken);
        var user = await _users.GetAsync(grant.Name, cancellationToken);
        if (user is not { Activated: false, SealedTotpSecret: { } sealedSecret })
        {
            throw new FleetException(FleetErrorKind.Conflict, $"user {grant.Name} has no activation waiting for a TOTP code; set a password first");
        }

        var step = TotpGenerator.MatchingStep(_box.Open(sealedSecret, Encoding.UTF8.GetBytes(grant.Name)), code, _time.GetUtcNow());
        if (step is null)
        {
            await _audit.AppendAsync(new AuditRecord(grant.Name, "user.activated", $"user/{grant.Name}", AuditOutcome.Denied,
                new Dictionary<string, string> { ["reason"] = "wrong TOTP code" }), cancellationToken);
            throw new FleetException(FleetErrorKind.Unauthorized, "the TOTP code does not match; check the authenticator's clock and try the next code");
        }

        await _audit.CommitAsync((transaction, commit) => CompleteAsync(transaction, grant, step.Value, commit), cancellationToken);
    }

    /// <summary>Checks password and TOTP; backs off per source and user, locks after repeated failures. Every attempt is audited.</summary>
    public async Task<OperatorIdentity> LoginAsync(string name, string password, string? code, string source, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wait = _backoff.RetryAfter("source:" + source) ?? _backoff.RetryAfter("user:" + name);
        if (wait is { } retry)
        {
            throw new FleetException(FleetErrorKind.RateLimited, $"too many failed logins; retry in {Math.Ceiling(retry.TotalSeconds)} s");
        }

        var user = OperatorNames.IsValid(name) ? await _users.GetAsync(name, cancellationToken) : null;
        if (user is null)
        {
            await _hasher.VerifyAsync(null, password, cancellationToken); // the same work as for a real user
            return await FailAsync(name, source, "unknown user", null, cancellationToken);
        }

        // The password is checked before the lock, and a locked account answers as a wrong password
        // does (same message, same work): otherwise the answer would tell a guesser which names exist
        // and which of them it has locked. The audit entry keeps the real reason.
        var passwordMatches = await _hasher.VerifyAsync(user.Password, password, cancellationToken);
        if (user.LockedUntil is { } locked && locked > now)
        {
            return await FailAsync(name, source, "account locked", user, cancellationToken);
        }

        if (!passwordMatches)
        {
            return await FailAsync(name, source, "wrong password", user, cancellationToken);
        }

        long step = 0;
        if (user.SealedTotpSecret is { } sealedSecret)
        {
            var matched = TotpGenerator.MatchingStep(_box.Open(sealedSecret, Encoding.UTF8.GetBytes(user.Name)), code, now);
            if (matched is null || matched <= user.LastTotpStep)
            {
                return await FailAsync(name, source, matched is null ? "wrong TOTP code" : "TOTP code replayed", user, cancellationToken);
            }

            step = matched.Value;
        }

        if (!user.Activated || user.Disabled)
        {
            return await FailAsync(name, source, user.Disabled ? "disabled" : "not activated", user, cancellationToken);
        }

        // A hash older or cheaper than today's Argon2id cost is replaced now, while the password is
        // at hand (it is never stored): derived before the transaction so the slow part holds no lock.
        var rehashed = _hasher.NeedsRehash(user.Password) ? await _hasher.HashAsync(password, cancellationToken) : null;

        // The recorded TOTP step (replay protection), the rehash and their audit entries in one transaction.
        var recorded = await _audit.CommitAsync(async (transaction, commit) =>
        {
            if (!await _users.RecordLoginAsync(transaction, name, true, step, null, commit))
            {
                return AuditedOutcome<bool>.Nothing(false);
            }

            var login = new AuditRecord(name, "user.login", $"user/{name}", AuditOutcome.Success, new Dictionary<string, string> { ["source"] = source });
            return rehashed is not null && await _users.ReplacePasswordAsync(transaction, name, user.Password.Encode(), rehashed, commit)
                ? AuditedOutcome<bool>.Done(true, [login, Rehashed(name, user.Password, rehashed)], [])
                : AuditedOutcome<bool>.Done(true, login);
        }, cancellationToken);
        if (!recorded.Value)
        {
            return await FailAsync(name, source, "TOTP code replayed", user, cancellationToken);
        }

        _backoff.RecordSuccess("source:" + source);
        _backoff.RecordSuccess("user:" + name);
        return OperatorIdentity.Of(user);
    }

    /// <summary>Disables an account; its tokens stop working at once.</summary>
    public async Task DisableAsync(string name, string actor, CancellationToken cancellationToken)
    {
        if (name == actor)
        {
            throw new FleetException(FleetErrorKind.Conflict, "you cannot disable your own account");
        }

        await _audit.CommitAsync(async (transaction, commit) =>
            await _users.DisableAsync(transaction, name, commit)
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "user.disabled", $"user/{name}", AuditOutcome.Success))
                : throw new FleetException(FleetErrorKind.NotFound, $"no enabled user {name}"),
            cancellationToken);
    }

    /// <summary>Most pending invitations listed.</summary>
    public const int MaxPendingInvitations = 500;

    /// <summary>Invitations not used and not expired, soonest to expire first (the token itself is stored hashed and never shown again).</summary>
    public Task<IReadOnlyList<Invitation>> PendingInvitationsAsync(CancellationToken cancellationToken) =>
        _users.PendingInvitationsAsync(_time.GetUtcNow(), MaxPendingInvitations, cancellationToken);

    /// <summary>Revokes a pending invitation: it can no longer activate an account, nor confirm an activation begun with it.</summary>
    public async Task RevokeInvitationAsync(long id, string actor, CancellationToken cancellationToken) =>
        await _audit.CommitAsync(async (transaction, commit) =>
            await _users.RevokeInvitationAsync(transaction, id, _time.GetUtcNow(), commit) is { } revoked
                ? AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "user.invitation-revoked", $"user/{revoked.UserName}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["invitation"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = revoked.Role }))
                : throw new FleetException(FleetErrorKind.NotFound, $"no pending invitation {id}"),
            cancellationToken);

    /// <summary>Every account.</summary>
    public Task<IReadOnlyList<OperatorUser>> ListAsync(CancellationToken cancellationToken) => _users.ListAsync(cancellationToken);

    /// <summary>The identity of an active user, or null (unknown, disabled, not activated).</summary>
    public async Task<OperatorUser?> GetActiveAsync(string name, CancellationToken cancellationToken) =>
        await _users.GetAsync(name, cancellationToken) is { Activated: true, Disabled: false } user ? user : null;

    private static AuditRecord Rehashed(string name, PasswordHash old, PasswordHash replacement) =>
        new("node", "user.password-rehashed", $"user/{name}", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["from"] = old.Algorithm,
            ["to"] = replacement is Argon2idPasswordHash argon ? $"{argon.Algorithm} {argon.Parameters}" : replacement.Algorithm,
        });

    private async Task<OperatorIdentity> FailAsync(string name, string source, string reason, OperatorUser? user, CancellationToken cancellationToken)
    {
        _backoff.RecordFailure("source:" + source);
        _backoff.RecordFailure("user:" + name);
        var details = new Dictionary<string, string> { ["reason"] = reason, ["source"] = source };
        var actor = OperatorNames.IsValid(name) ? name : "anonymous";
        var denied = new AuditRecord(actor, "user.login", $"user/{actor}", AuditOutcome.Denied, details);

        // The failure count, a lockout and their audit entries in one transaction.
        await _audit.CommitAsync(async (transaction, commit) =>
        {
            if (user is null || reason is not ("wrong password" or "wrong TOTP code" or "TOTP code replayed"))
            {
                return AuditedOutcome<bool>.Done(false, denied);
            }

            var failures = user.FailedLogins + 1;
            var lockUntil = failures >= _options.LockoutThreshold ? transaction.Now + _options.LockoutDuration : (DateTimeOffset?)null;
            await _users.RecordLoginAsync(transaction, name, false, 0, lockUntil, commit);
            return lockUntil is null
                ? AuditedOutcome<bool>.Done(false, denied)
                : AuditedOutcome<bool>.Done(true, [new AuditRecord("node", "user.locked", $"user/{name}", AuditOutcome.Success,
                    new Dictionary<string, string>
                    {
                        ["until"] = lockUntil.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                        ["failures"] = failures.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    }), denied], []);
        }, cancellationToken);
        throw new FleetException(FleetErrorKind.Unauthorized, Generic);
    }

    /// <summary>Inside the activation's transaction: spend the invitation or setup token, activate, audit both.</summary>
    private async ValueTask<AuditedOutcome<bool>> CompleteAsync(IStoreTransaction transaction, ActivationGrant grant, long step, CancellationToken cancellationToken)
    {
        var spent = grant.Invitation is { } invitation
            ? await _users.UseInvitationAsync(transaction, invitation.Id, transaction.Now, cancellationToken)
            : await _setup.TryConsumeAsync(transaction, grant.Token, cancellationToken);
        if (!spent)
        {
            throw new FleetException(FleetErrorKind.Unauthorized, "the invitation or setup token was used meanwhile");
        }

        await _users.ActivateAsync(transaction, grant.Name, step, cancellationToken);
        var activated = new AuditRecord(grant.Name, "user.activated", $"user/{grant.Name}", AuditOutcome.Success,
            new Dictionary<string, string> { ["role"] = grant.Role, ["via"] = grant.Invitation is null ? "setup-token" : "invitation" });
        return AuditedOutcome<bool>.Done(true, grant.Invitation is null ? [SetupTokenService.Consumed(grant.Name, true), activated] : [activated], []);
    }

    private async Task<ActivationGrant> ResolveAsync(string token, string? chosenName, CancellationToken cancellationToken)
    {
        if (token.StartsWith(SetupTokenService.Prefix, StringComparison.Ordinal))
        {
            if (!await _setup.IsUsableAsync(token, cancellationToken) || await _users.AnyAdminAsync(cancellationToken))
            {
                throw new FleetException(FleetErrorKind.Unauthorized, "unknown, used or expired setup token");
            }

            if (!OperatorNames.IsValid(chosenName))
            {
                throw new FleetException(FleetErrorKind.Invalid, "choose a user name matching [a-z0-9][a-z0-9._-]{0,63} for the first administrator");
            }

            return new ActivationGrant(token, chosenName!, OperatorRole.Admin.Name, [], [], null);
        }

        var invitation = await _users.FindInvitationAsync(SecretToken.Hash(token), _time.GetUtcNow(), cancellationToken);
        if (invitation is null || !SecretToken.Matches(token, invitation.TokenHash))
        {
            throw new FleetException(FleetErrorKind.Unauthorized, "unknown, used or expired invitation");
        }

        return new ActivationGrant(token, invitation.UserName, invitation.Role, invitation.Sites, invitation.Zones, invitation);
    }

    private sealed record ActivationGrant(string Token, string Name, string Role, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones, Invitation? Invitation)
    {
        public override string ToString() => $"ActivationGrant {{ Name = {Name}, Role = {Role} }}";
    }
}
