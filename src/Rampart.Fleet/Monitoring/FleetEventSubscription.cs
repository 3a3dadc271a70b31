using System.Threading.Channels;

namespace Rampart.Fleet.Monitoring;

/// <summary>One subscriber's view of the fleet event stream.</summary>
public sealed class FleetEventSubscription(ChannelReader<FleetEvent> reader, Action unsubscribe) : IDisposable
{
    /// <summary>The events, in publication order.</summary>
    public ChannelReader<FleetEvent> Events { get; } = reader;

    /// <inheritdoc />
    public void Dispose() => unsubscribe();
}
