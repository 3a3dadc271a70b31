using System.Collections.Concurrent;
using System.Text.Json;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;

namespace Rampart.Detection.Metrics;

/// <summary>
/// Collects behaviour metrics per device (issue 14, item 1) from three existing points, so the
/// gateway's own code is untouched: the broker's message observer (sizes, topics, posture reports),
/// the fleet event stream (sessions, addresses, notable refusals) and the per-identity traffic
/// counters (read once per window, as differences). At most <see cref="DetectionOptions.MaxDevices"/>
/// devices are followed; past that, devices are counted in <see cref="Untracked"/>, never grown.
/// </summary>
public sealed class BehaviourCollector
{
    private readonly ConcurrentDictionary<string, WindowAccumulator> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WindowAccumulator>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly TrafficCounters? _traffic;
    private readonly int _maxDevices;
    private readonly int _evictAfter;
    // The last publisher each broker thread saw and its accumulator: a connection's messages come in
    // runs on one loop, and its principal is one string for the connection's life (the policy's), so a
    // reference comparison replaces hashing the id and the dictionary lookup for most messages.
    [ThreadStatic]
    private static (string? Publisher, WindowAccumulator? Accumulator, BehaviourCollector? Collector) t_last;
    private long _untracked;
    private long _invalidPostures;

    public BehaviourCollector(DetectionOptions options, TrafficCounters? traffic)
    {
        _traffic = traffic;
        _maxDevices = options.MaxDevices;
        _evictAfter = options.EvictIdleAfterWindows;
        _bySpan = _devices.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Devices being followed now.</summary>
    public int Devices => _devices.Count;

    /// <summary>Observations about devices past <see cref="DetectionOptions.MaxDevices"/>, not followed.</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Posture reports that were not JSON objects (the posture monitor records them as events).</summary>
    public long InvalidPostures => Interlocked.Read(ref _invalidPostures);

    /// <summary>
    /// The broker's observer for every routed message: runs on the publisher's loop, so for a device
    /// already followed it takes a per-device lock and allocates nothing; the lookup by id only when the
    /// thread's last message came from another connection (docs/detection.md, "Cost per message").
    /// </summary>
    public void Observe(MqttMessage message)
    {
        if (message.Publisher is not { } publisher || !publisher.StartsWith(ClientIdentity.DevicePrefix, StringComparison.Ordinal))
        {
            return;
        }

        var last = t_last;
        WindowAccumulator? accumulator;
        if (ReferenceEquals(last.Publisher, publisher) && ReferenceEquals(last.Collector, this) && !last.Accumulator!.Detached)
        {
            accumulator = last.Accumulator;
        }
        else
        {
            var id = publisher.AsSpan(ClientIdentity.DevicePrefix.Length);
            accumulator = _bySpan.TryGetValue(id, out var found) ? found : For(id.ToString());
            if (accumulator is null)
            {
                return;
            }

            t_last = (publisher, accumulator, this);
        }

        accumulator.Message(message.Topic, message.Payload.Length);

        // A posture report belongs to the device that published it on its own state topic (threat model, "Identity").
        if (message.Topic.EndsWith("/state", StringComparison.Ordinal) && DeviceReports.AttributedDevice(message) is not null)
        {
            try
            {
                var facts = PostureFacts.Parse(message.Payload.Span);
                if (facts.FirmwareVersion is not null || facts.BootCounter is not null || facts.Measurement is not null)
                {
                    accumulator.Posture(facts);
                }
            }
            catch (JsonException)
            {
                Interlocked.Increment(ref _invalidPostures);
            }
        }
    }

    /// <summary>A security event from the fleet stream: sessions, source addresses and the refusals detectors count (for devices the gateway authenticated).</summary>
    public void Observe(SecurityEvent securityEvent)
    {
        if (securityEvent.DeviceId is not { } deviceId || !securityEvent.Kind.StartsWith("gateway.", StringComparison.Ordinal) && !securityEvent.Kind.StartsWith("device.", StringComparison.Ordinal))
        {
            return;
        }

        // Only a session the gateway authenticated makes a device followed (its id is the certificate's).
        // Other events count for devices followed already: a report another principal made in a
        // device's name (device.report-not-attributed) names an id nobody proved, and is not that
        // device's behaviour; let such ids create entries and a service could fill the collector with
        // made-up devices until real ones went untracked.
        if (securityEvent.Kind == "device.report-not-attributed")
        {
            return;
        }

        var accumulator = securityEvent.Kind == "gateway.connected" ? For(deviceId) : _devices.GetValueOrDefault(deviceId);
        if (accumulator is null)
        {
            return;
        }

        switch (securityEvent.Kind)
        {
            case "gateway.connected":
                accumulator.Connected(securityEvent.Time, securityEvent.Source);
                break;
            case "gateway.disconnected":
                accumulator.Disconnected(securityEvent.Time);
                break;
            default:
                accumulator.Event(securityEvent.Kind);
                break;
        }
    }

    /// <summary>A posture report already parsed (tests and the bench feed these directly).</summary>
    public void Observe(string deviceId, PostureFacts facts) => For(deviceId)?.Posture(facts);

    /// <summary>Closes the window [<paramref name="start"/>, <paramref name="end"/>) for every followed device; evicts long-idle ones.</summary>
    public IReadOnlyList<BehaviourWindow> Close(DateTimeOffset start, DateTimeOffset end)
    {
        var windows = new List<BehaviourWindow>(_devices.Count);
        foreach (var (id, accumulator) in _devices)
        {
            var window = accumulator.Close(start, end, _traffic?.Find(ClientIdentity.DevicePrefix + id));
            if (window.Active)
            {
                windows.Add(window);
            }
            else if (accumulator.IdleWindows >= _evictAfter && _devices.TryRemove(id, out _))
            {
                // A broker thread may still hold it as its last publisher's: it must look the device up again.
                accumulator.Detached = true;
            }
        }

        return windows;
    }

    private WindowAccumulator? For(string deviceId)
    {
        if (_devices.TryGetValue(deviceId, out var found))
        {
            return found;
        }

        if (_devices.Count >= _maxDevices)
        {
            Interlocked.Increment(ref _untracked);
            return null;
        }

        return _devices.GetOrAdd(deviceId, id => new WindowAccumulator(id, _traffic?.Find(ClientIdentity.DevicePrefix + id)));
    }
}
