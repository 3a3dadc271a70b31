using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators.Passwords;

namespace Rampart.Fleet.Operators;

/// <summary>Operator accounts and invitations. Every change runs inside its audited transaction.</summary>
public interface IUserStore
{
    /// <summary>Adds or replaces a user that is not activated yet (activation may be repeated until it completes); false when an activated user has the name.</summary>
    Task<bool> TryPutPendingAsync(IStoreTransaction transaction, OperatorUser user, CancellationToken cancellationToken);

    /// <summary>The user, or null.</summary>
    Task<OperatorUser?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>All users in name order.</summary>
    Task<IReadOnlyList<OperatorUser>> ListAsync(CancellationToken cancellationToken);

    /// <summary>True when any active (confirmed, not disabled) admin exists.</summary>
    Task<bool> AnyAdminAsync(CancellationToken cancellationToken);

    /// <summary>Activates a pending user, recording the TOTP step used (0 when none).</summary>
    Task ActivateAsync(IStoreTransaction transaction, string name, long totpStep, CancellationToken cancellationToken);

    /// <summary>Records a login: success resets failures and records the TOTP step (refusing a replayed step); failure counts up.</summary>
    Task<bool> RecordLoginAsync(IStoreTransaction transaction, string name, bool success, long totpStep, DateTimeOffset? lockUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the stored password hash if it is still <paramref name="expected"/> (its storage form):
    /// false when it changed meanwhile (another login rehashed it first), so the newer one stays.
    /// </summary>
    Task<bool> ReplacePasswordAsync(IStoreTransaction transaction, string name, string expected, PasswordHash replacement, CancellationToken cancellationToken);

    /// <summary>Disables the user; false if unknown or already disabled.</summary>
    Task<bool> DisableAsync(IStoreTransaction transaction, string name, CancellationToken cancellationToken);

    /// <summary>Stores an invitation (hash only).</summary>
    Task AddInvitationAsync(IStoreTransaction transaction, Invitation invitation, CancellationToken cancellationToken);

    /// <summary>The unused, unexpired invitation with this hash.</summary>
    Task<Invitation?> FindInvitationAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Spends the invitation; false if someone did first.</summary>
    Task<bool> UseInvitationAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Invitations not used and not expired at <paramref name="now"/>, soonest to expire first (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<Invitation>> PendingInvitationsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Removes a pending invitation so it can never be used; returns it, or null when none is pending with that id.</summary>
    Task<Invitation?> RevokeInvitationAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken);
}
