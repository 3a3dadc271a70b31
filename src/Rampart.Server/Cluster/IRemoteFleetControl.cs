using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Cluster;

/// <summary>
/// A capability's part of live control across nodes (issue 15): told every fleet event that came from another node
/// over the fleet control relay, after the gateway's own control applied it, on the relay's loop (so in the order the
/// events of one node were sent). Must not block: work that reads the database is queued.
/// </summary>
public interface IRemoteFleetControl
{
    /// <summary>Applies one event from another node; returns how many local sessions it touched at once.</summary>
    int Apply(FleetEvent fleetEvent);
}
