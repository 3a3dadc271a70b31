using Rampart.Fleet.Inventory;
using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>
/// Evidence that holds for every device Rampart enrolled, because of how the gateway works: MQTT only
/// over TLS 1.2+ with mutual authentication, least-privilege topics per device, behaviour detection on
/// every window. Judged per device (an unenrolled device has none of it yet).
/// </summary>
public sealed class Managed(string what) : IJudge
{
    /// <summary>Device traffic is MQTT over mutual TLS only (threat model, "Transport").</summary>
    public static Managed SecureTransport { get; } = new("its traffic to Rampart is MQTT over TLS 1.2+ with mutual authentication only");

    /// <summary>Configuration reaches the device only on its own config topic, from services granted it.</summary>
    public static Managed AuthenticatedConfiguration { get; } = new("configuration reaches it only on devices/{id}/config, from authenticated services granted that topic");

    /// <summary>Rampart examines every device's telemetry for anomalies (docs/detection.md).</summary>
    public static Managed TelemetryExamined { get; } = new("its telemetry and connections are examined by Rampart's behaviour detection");

    /// <summary>The device is in the inventory with its lifecycle managed.</summary>
    public static Managed Inventoried { get; } = new("it is in Rampart's inventory with an immutable id, lifecycle states, revocation and quarantine");

    public string Describes => "an enrolled device: " + what;

    // An enrolled device whose certificates are all revoked or expired can no longer be reached through
    // the gateway: nothing of this holds for it any more.
    public Judgement Judge(PostureSubject subject) => subject.Device switch
    {
        null => Judgement.NotAssessable("no device: only an enrolled device shows this"),
        { State: DeviceState.Registered } => Judgement.NotAssessable("not enrolled yet"),
        _ when subject.Certificates.Count == 0 => Judgement.NotAssessable("no certificate from Rampart's CA is on record"),
        { } device when subject.LiveCertificate is null => Judgement.Fail(EvidenceSource.Rampart, $"{device.Id} holds no live certificate: it is outside Rampart's management"),
        var device => Judgement.Pass(EvidenceSource.Rampart, $"{device.Id} is enrolled: {what}"),
    };
}
