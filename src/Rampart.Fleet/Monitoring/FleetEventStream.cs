using System.Collections.Immutable;
using System.Threading.Channels;

namespace Rampart.Fleet.Monitoring;

/// <summary>
/// The in-process stream of fleet events (revocations, retirements, quarantines, security events).
/// Each subscriber gets its own bounded channel; publishing waits for room rather than drop a
/// revocation, so subscribers must keep reading.
/// </summary>
public sealed class FleetEventStream
{
    /// <summary>Events a subscriber may fall behind by before publishers wait for it.</summary>
    public const int SubscriberCapacity = 4096;

    private ImmutableArray<Channel<FleetEvent>> _subscribers = [];

    /// <summary>Starts a subscription; dispose it to stop.</summary>
    public FleetEventSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<FleetEvent>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(channel));
        return new FleetEventSubscription(channel.Reader, () =>
        {
            ImmutableInterlocked.Update(ref _subscribers, list => list.Remove(channel));
            channel.Writer.TryComplete();
        });
    }

    /// <summary>Delivers the event to every current subscriber.</summary>
    public async ValueTask PublishAsync(FleetEvent fleetEvent, CancellationToken cancellationToken = default)
    {
        foreach (var subscriber in _subscribers)
        {
            try
            {
                await subscriber.Writer.WriteAsync(fleetEvent, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                // The subscriber left meanwhile.
            }
        }
    }
}
