namespace Rampart.Attack.Battery;

/// <summary>
/// What the red team needs from the node's administration to stage its attacks: devices to attack
/// with (and as), an operator with the least role, and the node's record of what it saw. The CLI
/// implements it over the admin socket or an operator token; everything staged is removed afterwards.
/// </summary>
public interface IAttackFleet
{
    /// <summary>Registers a device; returns its one-time bootstrap token.</summary>
    Task<string> AddDeviceAsync(string id, CancellationToken cancellationToken);

    /// <summary>Retires a device the battery registered (its certificates are revoked, sessions end).</summary>
    Task RetireDeviceAsync(string id, CancellationToken cancellationToken);

    /// <summary>Invites an operator with <paramref name="role"/>; returns the invitation token.</summary>
    Task<string> InviteOperatorAsync(string name, string role, CancellationToken cancellationToken);

    /// <summary>Disables an operator the battery created.</summary>
    Task DisableOperatorAsync(string name, CancellationToken cancellationToken);

    /// <summary>The kinds of the security events recorded for <paramref name="deviceId"/>, newest first.</summary>
    Task<IReadOnlyList<string>> EventKindsAsync(string deviceId, CancellationToken cancellationToken);
}
