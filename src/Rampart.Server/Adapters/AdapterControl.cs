using Microsoft.Extensions.Hosting;
using Rampart.Adapters.Links;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Adapters;

/// <summary>
/// Live control for what the gateway's own control cannot know: a legacy device's link is closed on
/// any change of its access (quarantine, release, retirement), so its next request is resolved again
/// under the legacy template — the gateway's release would otherwise hand the live session the full
/// device template. (Revocation and quarantine of every other front-door session reach it through
/// the broker, as for MQTT.)
/// </summary>
internal sealed class AdapterControl(FleetEventStream stream, DeviceLinks links) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = stream.Subscribe();
        try
        {
            await foreach (var fleetEvent in subscription.Events.ReadAllAsync(stoppingToken))
            {
                if (fleetEvent is DeviceAccessChanged changed && links.Find(changed.DeviceId) is { Legacy: true })
                {
                    await links.CloseAsync(changed.DeviceId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
