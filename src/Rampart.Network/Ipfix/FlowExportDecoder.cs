using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Rampart.Network.Flows;

namespace Rampart.Network.Ipfix;

/// <summary>
/// Decodes one IPFIX message (RFC 7011, version 10) or NetFlow v9 export packet (RFC 3954), as a UDP
/// datagram carries it, into flow records. Every length is checked against its set and message; a
/// malformed message is refused whole (<see cref="NetworkInputException"/>), so no half of it is
/// counted. Data records of a template not (yet) announced are counted in <see cref="UnknownTemplateRecords"/>
/// (RFC 7011 §8: a collector may drop them).
/// </summary>
public sealed class FlowExportDecoder(TemplateCache templates)
{
    // RFC 7012 §5 / IANA "IPFIX Information Elements" (the same numbers as NetFlow v9's field types).
    private const ushort OctetDeltaCount = 1;
    private const ushort PacketDeltaCount = 2;
    private const ushort ProtocolIdentifier = 4;
    private const ushort TcpControlBits = 6;
    private const ushort SourceTransportPort = 7;
    private const ushort SourceIPv4Address = 8;
    private const ushort DestinationTransportPort = 11;
    private const ushort DestinationIPv4Address = 12;
    private const ushort FlowEndSysUpTime = 21;
    private const ushort FlowStartSysUpTime = 22;
    private const ushort SourceIPv6Address = 27;
    private const ushort DestinationIPv6Address = 28;
    private const ushort SourceMacAddress = 56;
    private const ushort OctetTotalCount = 85;
    private const ushort PacketTotalCount = 86;
    private const ushort FlowStartSeconds = 150;
    private const ushort FlowEndSeconds = 151;
    private const ushort FlowStartMilliseconds = 152;
    private const ushort FlowEndMilliseconds = 153;
    private const ushort SystemInitTimeMilliseconds = 160;

    /// <summary>Fields per template: a template is at most one set, but a hostile one is refused early.</summary>
    public const int MaxFields = 256;

    public long UnknownTemplateRecords { get; private set; }

    /// <summary>Decodes <paramref name="message"/> from <paramref name="source"/> (the exporter's address:port); appends its flows to <paramref name="flows"/>.</summary>
    public void Decode(ReadOnlySpan<byte> message, string source, List<FlowRecord> flows)
    {
        if (message.Length < 2)
        {
            throw new NetworkInputException("a flow export shorter than its version field");
        }

        var decoded = new List<FlowRecord>();
        switch (BinaryPrimitives.ReadUInt16BigEndian(message))
        {
            case 10:
                DecodeIpfix(message, source, decoded);
                break;
            case 9:
                DecodeNetFlow9(message, source, decoded);
                break;
            case var version:
                throw new NetworkInputException($"flow export version {version} (only IPFIX 10 and NetFlow 9)");
        }

        flows.AddRange(decoded);
    }

    // RFC 7011 §3.1: version, length, export time, sequence number, observation domain id (16 bytes); then sets (§3.3.2).
    private void DecodeIpfix(ReadOnlySpan<byte> message, string source, List<FlowRecord> flows)
    {
        if (message.Length < 16)
        {
            throw new NetworkInputException("an IPFIX message shorter than its 16-byte header");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (length < 16 || length > message.Length)
        {
            throw new NetworkInputException($"an IPFIX message says it is {length} bytes, the datagram holds {message.Length}");
        }

        var exportTime = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(message[4..]));
        var domain = BinaryPrimitives.ReadUInt32BigEndian(message[12..]);
        var clock = new ExportClock(exportTime, null);
        var sets = message[16..length];
        while (sets.Length > 0)
        {
            if (sets.Length < 4)
            {
                throw new NetworkInputException($"{sets.Length} bytes after the last set are not a set header");
            }

            var id = BinaryPrimitives.ReadUInt16BigEndian(sets);
            var setLength = BinaryPrimitives.ReadUInt16BigEndian(sets[2..]);
            if (setLength < 4 || setLength > sets.Length)
            {
                throw new NetworkInputException($"set {id} says it is {setLength} bytes, {sets.Length} are left in the message");
            }

            var body = sets[4..setLength];
            switch (id)
            {
                case 2 or 3:
                    ReadTemplates(body, source, domain, options: id == 3, ipfix: true);
                    break;
                case >= 256:
                    ReadData(body, source, domain, id, clock, flows);
                    break;
                default:
                    throw new NetworkInputException($"set id {id} is reserved (RFC 7011 §3.3.2)");
            }

            sets = sets[setLength..];
        }
    }

    // RFC 3954 §5.1: version, count, sysUpTime, UNIX seconds, sequence, source id (20 bytes); then flowsets, to the end of the datagram.
    private void DecodeNetFlow9(ReadOnlySpan<byte> message, string source, List<FlowRecord> flows)
    {
        if (message.Length < 20)
        {
            throw new NetworkInputException("a NetFlow v9 packet shorter than its 20-byte header");
        }

        var upTime = BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var exportTime = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(message[8..]));
        var domain = BinaryPrimitives.ReadUInt32BigEndian(message[16..]);
        var clock = new ExportClock(exportTime, exportTime.AddMilliseconds(-upTime));
        var sets = message[20..];
        while (sets.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(sets);
            var setLength = BinaryPrimitives.ReadUInt16BigEndian(sets[2..]);
            if (setLength < 4 || setLength > sets.Length)
            {
                throw new NetworkInputException($"flowset {id} says it is {setLength} bytes, {sets.Length} are left in the packet");
            }

            var body = sets[4..setLength];
            switch (id)
            {
                case 0:
                    ReadTemplates(body, source, domain, options: false, ipfix: false);
                    break;
                case 1:
                    ReadNetFlowOptionsTemplates(body, source, domain);
                    break;
                case >= 256:
                    ReadData(body, source, domain, id, clock, flows);
                    break;
                default:
                    throw new NetworkInputException($"flowset id {id} is reserved (RFC 3954 §5.3)");
            }

            sets = sets[setLength..];
        }
    }

    // RFC 7011 §3.4.1 and §3.4.2.2 (IPFIX), RFC 3954 §5.2 (v9): template id, field count, [scope field count], field specifiers.
    private void ReadTemplates(ReadOnlySpan<byte> body, string source, uint domain, bool options, bool ipfix)
    {
        var headerLength = options ? 6 : 4;
        while (body.Length >= headerLength)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(body);
            var count = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
            if (count == 0 && ipfix)
            {
                templates.Withdraw(source, domain, id, options);
                body = body[4..];
                continue;
            }

            if (id < 256 || count == 0 || count > MaxFields)
            {
                throw new NetworkInputException($"template {id} with {count} fields (ids start at 256, 1 to {MaxFields} fields)");
            }

            if (options && BinaryPrimitives.ReadUInt16BigEndian(body[4..]) is var scopes && (scopes == 0 || scopes > count))
            {
                throw new NetworkInputException($"options template {id} has {scopes} scope fields of {count} (RFC 7011 §3.4.2.2: at least one)");
            }

            body = body[headerLength..];
            var fields = new TemplateField[count];
            for (var i = 0; i < count; i++)
            {
                if (body.Length < 4)
                {
                    throw new NetworkInputException($"template {id} is cut off at field {i} of {count}");
                }

                var element = BinaryPrimitives.ReadUInt16BigEndian(body);
                var length = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
                var enterprise = ipfix && (element & 0x8000) != 0;
                body = body[4..];
                if (enterprise)
                {
                    // §3.2: the enterprise bit set, a 4-byte Private Enterprise Number follows.
                    if (body.Length < 4)
                    {
                        throw new NetworkInputException($"template {id} field {i} is cut off before its enterprise number");
                    }

                    body = body[4..];
                }

                if (length == 0 || length == TemplateField.Variable && !ipfix)
                {
                    throw new NetworkInputException($"template {id} field {i} has length {length}");
                }

                fields[i] = new TemplateField((ushort)(element & 0x7FFF), length, enterprise);
            }

            templates.Set(source, domain, new FlowTemplate(id, fields, options));

            // §3.3.1: fewer bytes than a template header left over are padding.
        }
    }

    // RFC 3954 §6.1: template id, option scope length, option length (in bytes), then the scope and option fields.
    private void ReadNetFlowOptionsTemplates(ReadOnlySpan<byte> body, string source, uint domain)
    {
        while (body.Length >= 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(body);
            var scopeBytes = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
            var optionBytes = BinaryPrimitives.ReadUInt16BigEndian(body[4..]);
            if (id < 256 || scopeBytes + optionBytes == 0 || scopeBytes % 4 != 0 || optionBytes % 4 != 0 || 6 + scopeBytes + optionBytes > body.Length)
            {
                throw new NetworkInputException($"options template {id} with scope {scopeBytes} and option {optionBytes} bytes does not fit its flowset");
            }

            var specifiers = body.Slice(6, scopeBytes + optionBytes);
            var fields = new TemplateField[specifiers.Length / 4];
            for (var i = 0; i < fields.Length; i++)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(specifiers[(i * 4 + 2)..]);
                fields[i] = new TemplateField(BinaryPrimitives.ReadUInt16BigEndian(specifiers[(i * 4)..]), length == 0 ? throw new NetworkInputException($"options template {id} field {i} has length 0") : length, false);
            }

            templates.Set(source, domain, new FlowTemplate(id, fields, true));
            body = body[(6 + scopeBytes + optionBytes)..];
        }
    }

    private void ReadData(ReadOnlySpan<byte> body, string source, uint domain, ushort id, ExportClock clock, List<FlowRecord> flows)
    {
        if (templates.Find(source, domain, id) is not { } template)
        {
            UnknownTemplateRecords++;
            return;
        }

        // §3.3.1: what is left after the last whole record, shorter than the template's minimum, is padding.
        while (body.Length >= Math.Max(template.MinimumLength, 1))
        {
            var record = new RecordFields();
            foreach (var field in template.Fields)
            {
                var length = (int)field.Length;
                if (field.Length == TemplateField.Variable)
                {
                    // §7: one length byte below 255, or 255 and a two-byte length.
                    if (body.Length < 1)
                    {
                        throw new NetworkInputException($"a record of template {id} is cut off at a variable-length field");
                    }

                    length = body[0];
                    body = body[1..];
                    if (length == 255)
                    {
                        if (body.Length < 2)
                        {
                            throw new NetworkInputException($"a record of template {id} is cut off in a variable length");
                        }

                        length = BinaryPrimitives.ReadUInt16BigEndian(body);
                        body = body[2..];
                    }
                }

                if (length > body.Length)
                {
                    throw new NetworkInputException($"a record of template {id} is cut off: field {field.Element} needs {length} bytes, {body.Length} are left");
                }

                if (!field.Enterprise && !template.Options)
                {
                    record.Read(field.Element, body[..length]);
                }

                body = body[length..];
            }

            if (!template.Options && record.ToFlow(clock) is { } flow)
            {
                flows.Add(flow);
            }
        }
    }

    private readonly record struct ExportClock(DateTimeOffset ExportTime, DateTimeOffset? Boot);

    // One data record's fields as read; unsigned integers may use reduced-size encoding (RFC 7011 §6.2).
    private struct RecordFields
    {
        private IPAddress? _source;
        private IPAddress? _destination;
        private ushort _sourcePort;
        private ushort _destinationPort;
        private byte _protocol;
        private byte _flags;
        private long _packets;
        private long _bytes;
        private long? _startMs;
        private long? _endMs;
        private long? _startUpMs;
        private long? _endUpMs;
        private long? _bootMs;
        private PhysicalAddress? _mac;

        public void Read(ushort element, ReadOnlySpan<byte> value)
        {
            switch (element)
            {
                case SourceIPv4Address when value.Length == 4:
                case SourceIPv6Address when value.Length == 16:
                    _source = new IPAddress(value);
                    break;
                case DestinationIPv4Address when value.Length == 4:
                case DestinationIPv6Address when value.Length == 16:
                    _destination = new IPAddress(value);
                    break;
                case SourceTransportPort:
                    _sourcePort = (ushort)Unsigned(value);
                    break;
                case DestinationTransportPort:
                    _destinationPort = (ushort)Unsigned(value);
                    break;
                case ProtocolIdentifier:
                    _protocol = (byte)Unsigned(value);
                    break;
                case TcpControlBits:
                    _flags = (byte)Unsigned(value);
                    break;
                case OctetDeltaCount or OctetTotalCount:
                    _bytes = (long)Math.Min(Unsigned(value), long.MaxValue);
                    break;
                case PacketDeltaCount or PacketTotalCount:
                    _packets = (long)Math.Min(Unsigned(value), long.MaxValue);
                    break;
                case FlowStartSeconds:
                    _startMs = (long)Math.Min(Unsigned(value), int.MaxValue * 2L) * 1000;
                    break;
                case FlowEndSeconds:
                    _endMs = (long)Math.Min(Unsigned(value), int.MaxValue * 2L) * 1000;
                    break;
                case FlowStartMilliseconds:
                    _startMs = (long)Math.Min(Unsigned(value), 253_402_300_799_000UL);
                    break;
                case FlowEndMilliseconds:
                    _endMs = (long)Math.Min(Unsigned(value), 253_402_300_799_000UL);
                    break;
                case FlowStartSysUpTime:
                    _startUpMs = (long)Unsigned(value);
                    break;
                case FlowEndSysUpTime:
                    _endUpMs = (long)Unsigned(value);
                    break;
                case SystemInitTimeMilliseconds:
                    _bootMs = (long)Math.Min(Unsigned(value), 253_402_300_799_000UL);
                    break;
                case SourceMacAddress when value.Length == 6:
                    _mac = value.IndexOfAnyExcept((byte)0) < 0 ? null : new PhysicalAddress(value.ToArray());
                    break;
            }
        }

        public readonly FlowRecord? ToFlow(ExportClock clock)
        {
            if (_source is null || _destination is null)
            {
                return null; // a record without both addresses says nothing about a host pair
            }

            var boot = _bootMs is { } bootMs ? DateTimeOffset.FromUnixTimeMilliseconds(bootMs) : clock.Boot;
            var first = Time(_startMs, _startUpMs, boot) ?? clock.ExportTime;
            var last = Time(_endMs, _endUpMs, boot) ?? first;
            return new FlowRecord(_source, _destination, _sourcePort, _destinationPort, _protocol, _packets, _bytes, first, last < first ? first : last, _mac, _flags);
        }

        private static DateTimeOffset? Time(long? absoluteMs, long? upTimeMs, DateTimeOffset? boot) =>
            absoluteMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : upTimeMs is { } up && boot is { } start ? start.AddMilliseconds(up)
            : null;

        private static ulong Unsigned(ReadOnlySpan<byte> value)
        {
            ulong result = 0;
            foreach (var b in value[..Math.Min(value.Length, 8)])
            {
                result = (result << 8) | b;
            }

            return result;
        }
    }
}
