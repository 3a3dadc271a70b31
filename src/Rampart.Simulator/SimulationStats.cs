using System.Collections.Concurrent;

namespace Rampart.Simulator;

/// <summary>What the simulated fleet did and what the node answered, counted on the device side.</summary>
public sealed class SimulationStats
{
    private long _enrolled;
    private long _enrollFailures;
    private long _connected;
    private long _sent;
    private long _refusedConnections;

    public long Enrolled => Interlocked.Read(ref _enrolled);

    public long EnrollFailures => Interlocked.Read(ref _enrollFailures);

    /// <summary>Devices connected right now.</summary>
    public long Connected => Interlocked.Read(ref _connected);

    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Connection attempts the node refused (default credentials, no certificate).</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Publishes the node refused, by reason code name (from QoS 1 acknowledgements).</summary>
    public ConcurrentDictionary<string, long> RefusedPublishes { get; } = new(StringComparer.Ordinal);

    /// <summary>Firmware update outcomes reported by the devices: succeeded, failed, rolled-back.</summary>
    public ConcurrentDictionary<string, long> Updates { get; } = new(StringComparer.Ordinal);

    internal void Update(string outcome) => Updates.AddOrUpdate(outcome, 1, (_, count) => count + 1);

    internal void Enroll(bool ok)
    {
        if (ok)
        {
            Interlocked.Increment(ref _enrolled);
        }
        else
        {
            Interlocked.Increment(ref _enrollFailures);
        }
    }

    internal void Connection(int delta) => Interlocked.Add(ref _connected, delta);

    internal void Sent(int count = 1) => Interlocked.Add(ref _sent, count);

    internal void RefusedConnection() => Interlocked.Increment(ref _refusedConnections);

    internal void RefusedPublish(string reason) => RefusedPublishes.AddOrUpdate(reason, 1, (_, count) => count + 1);
}
