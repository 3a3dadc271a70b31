using Microsoft.Extensions.Configuration;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Procurement;
using Rampart.Posture.Zones;
using Rampart.Server.Hosting;

namespace Rampart.Server.Posture;

/// <summary>Fleet posture's settings (<c>Rampart:Posture:Procurement|Audit|Zones</c>), bound and checked at start: every problem in one message.</summary>
public sealed record PostureSettings(ProcurementOptions Procurement, FleetAuditOptions Audit, ZoneOptions Zones)
{
    public static PostureSettings From(IConfiguration configuration)
    {
        var procurement = new ProcurementOptions();
        var audit = new FleetAuditOptions();
        var zones = new ZoneOptions();
        try
        {
            configuration.GetSection("Rampart:Posture:Procurement").Bind(procurement);
            configuration.GetSection("Rampart:Posture:Audit").Bind(audit);
            configuration.GetSection("Rampart:Posture:Zones").Bind(zones);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid posture settings: {exception.Message}", exception);
        }

        var problems = audit.Problems().Concat(zones.Problems()).ToArray();
        return problems.Length > 0
            ? throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
            : new PostureSettings(procurement, audit, zones);
    }
}
