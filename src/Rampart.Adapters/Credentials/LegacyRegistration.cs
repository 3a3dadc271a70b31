namespace Rampart.Adapters.Credentials;

/// <summary>
/// The legacy flag of a device: registered explicitly as one that cannot hold a certificate or a
/// unique key of its own making, with the reason. While <see cref="Replaced"/> is null it is an open
/// audit finding (<c>rampart adapter legacy list</c>).
/// </summary>
public sealed record LegacyRegistration(string DeviceId, string Reason, string RegisteredBy, DateTimeOffset Registered, DateTimeOffset? Replaced = null);
