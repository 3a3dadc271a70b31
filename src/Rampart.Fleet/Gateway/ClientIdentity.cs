using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// Who an MQTT connection is, as its client certificate proves it, captured once at the handshake:
/// a device (client id must equal the device id) or a backend service (client id from its pattern).
/// </summary>
public sealed record ClientIdentity(ClientKind Kind, string Id, string CertificateSerial, TopicPermissions Permissions)
{
    /// <summary>The prefix of a device's principal.</summary>
    public const string DevicePrefix = "device:";

    /// <summary>The id events and audit entries name: <c>device:d1</c> or <c>service:ingest</c>.</summary>
    public string Principal => (Kind == ClientKind.Device ? DevicePrefix : "service:") + Id;
}

/// <summary>Kinds of MQTT identity.</summary>
public enum ClientKind
{
    /// <summary>A device certificate (profile <c>device</c>).</summary>
    Device,

    /// <summary>A backend service certificate (profile <c>service</c>).</summary>
    Service,
}
