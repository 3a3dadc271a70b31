namespace Rampart.Fleet.Gateway;

/// <summary>Why a connection is refused, as a stable code for events (no-certificate, unknown-ca, expired, revoked, …) and a message.</summary>
public sealed record ClientRefusal(string Code, string Message);
