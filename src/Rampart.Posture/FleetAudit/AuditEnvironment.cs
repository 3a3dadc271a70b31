using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Permissions;
using Rampart.Posture.Zones;

namespace Rampart.Posture.FleetAudit;

/// <summary>What the audit judges beyond the stores: the node's CA, its services' templates, its export setting and live sessions.</summary>
/// <param name="IssuingCa">The node's issuing CA now (device certificates chain to it).</param>
/// <param name="Sessions">Live MQTT sessions, or null where none can be seen (an offline audit).</param>
/// <param name="PreviousIssuingCa">The issuing CA a rollover replaced, while its overlap lasts (its certificates are still trusted until <paramref name="PreviousTrustedUntil"/>), else null.</param>
public sealed record AuditEnvironment(
    X509Certificate2 RootCa,
    X509Certificate2 IssuingCa,
    IReadOnlyDictionary<string, ServicePermissions> Services,
    string? ExportDestinations,
    ILiveSessions? Sessions,
    ZonePolicy Zones,
    X509Certificate2? PreviousIssuingCa = null,
    DateTimeOffset? PreviousTrustedUntil = null);

/// <summary>The gateway's live sessions, for the checks that need them (a revoked certificate still connected).</summary>
public interface ILiveSessions
{
    IReadOnlyList<LiveSession> Current();
}

/// <summary>One live session: who, with which certificate, from where.</summary>
public sealed record LiveSession(string DeviceId, string CertificateSerial, string Source);
