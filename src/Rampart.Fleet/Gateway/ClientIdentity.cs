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
    public string Principal => PrincipalOf(Kind, Id);

    /// <summary>The principal of the identity of kind <paramref name="kind"/> named <paramref name="id"/> (a certificate's subject).</summary>
    public static string PrincipalOf(ClientKind kind, string id) => (kind == ClientKind.Device ? DevicePrefix : "service:") + id;
}

/// <summary>Kinds of MQTT identity.</summary>
public enum ClientKind
{
    /// <summary>A device certificate (profile <c>device</c>).</summary>
    Device,

    /// <summary>A backend service certificate (profile <c>service</c>).</summary>
    Service,
}
