using System.Net;
using System.Net.NetworkInformation;

namespace Rampart.Network.Flows;

/// <summary>
/// Aggregates a capture's packets into unidirectional flows (5-tuple), bounded: past
/// <see cref="MaxFlows"/> distinct flows, packets of new flows are counted in <see cref="Overflowed"/>
/// and not kept (the inventory must not grow with a hostile capture).
/// </summary>
public sealed class FlowTable(int maxFlows)
{
    private readonly Dictionary<FlowKey, Accumulator> _flows = [];

    public int MaxFlows { get; } = maxFlows;

    /// <summary>Packets that belonged to no kept flow because the table was full.</summary>
    public long Overflowed { get; private set; }

    public int Count => _flows.Count;

    public void Add(in PacketFacts packet, DateTimeOffset time)
    {
        var key = new FlowKey(packet.Source, packet.Destination, packet.SourcePort, packet.DestinationPort, packet.Protocol);
        if (!_flows.TryGetValue(key, out var flow))
        {
            if (_flows.Count >= MaxFlows)
            {
                Overflowed++;
                return;
            }

            flow = new Accumulator { First = time, Mac = packet.SourceMac };
            _flows[key] = flow;
        }

        flow.Packets++;
        flow.Bytes += packet.Length;
        flow.Flags |= packet.TcpFlags;
        flow.BasicAuth |= packet.BasicAuth;
        flow.Last = time > flow.Last ? time : flow.Last;
        flow.First = time < flow.First ? time : flow.First;
    }

    public IReadOnlyList<FlowRecord> Flows() =>
        _flows.Select(p => new FlowRecord(p.Key.Source, p.Key.Destination, p.Key.SourcePort, p.Key.DestinationPort, p.Key.Protocol,
            p.Value.Packets, p.Value.Bytes, p.Value.First, p.Value.Last, p.Value.Mac, p.Value.Flags, p.Value.BasicAuth)).ToArray();

    private readonly record struct FlowKey(IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort, byte Protocol);

    private sealed class Accumulator
    {
        public long Packets;
        public long Bytes;
        public byte Flags;
        public bool BasicAuth;
        public DateTimeOffset First;
        public DateTimeOffset Last;
        public PhysicalAddress? Mac;
    }
}

/// <summary>What one packet says about its flow.</summary>
public readonly record struct PacketFacts(
    IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort, byte Protocol, int Length, byte TcpFlags, bool BasicAuth, PhysicalAddress? SourceMac);
