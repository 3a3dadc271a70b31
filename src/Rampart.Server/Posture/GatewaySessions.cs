using Rampart.Fleet.Gateway;
using Rampart.Posture.FleetAudit;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>The gateway's live device sessions, for the audit's "revoked certificate still active" check.</summary>
public sealed class GatewaySessions(MqttGateway gateway) : ILiveSessions
{
    public IReadOnlyList<LiveSession> Current() =>
        gateway.Clients.Values.Where(c => c.Identity.Kind == ClientKind.Device)
            .Select(c => new LiveSession(c.Identity.Id, c.Identity.CertificateSerial, c.Source)).ToArray();
}
