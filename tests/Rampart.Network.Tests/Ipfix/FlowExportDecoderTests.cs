using System.Buffers.Binary;
using Rampart.Network.Flows;
using Rampart.Network.Ipfix;

namespace Rampart.Network.Tests.Ipfix;

public sealed class FlowExportDecoderTests
{
    private static List<FlowRecord> Decode(byte[] message)
    {
        var flows = new List<FlowRecord>();
        new FlowExportDecoder(new TemplateCache(4, 4)).Decode(message, "127.0.0.1:4000", flows);
        return flows;
    }

    [Fact]
    public void A_template_and_its_data_record_decode_to_one_flow()
    {
        var flow = Assert.Single(Decode(IpfixMessages.TemplateAndRecord()));
        Assert.Equal(("10.0.0.5", "10.0.0.1", (ushort)49152, (ushort)23, (byte)6, 3L, 180L), (flow.Source.ToString(), flow.Destination.ToString(), flow.SourcePort, flow.DestinationPort, flow.Protocol, flow.Packets, flow.Bytes));
    }

    [Theory]
    [InlineData(2, 4000, "says it is")]
    [InlineData(16, 1, "set id 1 is reserved")]
    [InlineData(20, 100, "set 2 says it is 36 bytes")]
    public void A_malformed_message_is_refused_whole_with_a_reason(int offset, int value, string reason)
    {
        var message = IpfixMessages.TemplateAndRecord();
        if (offset == 20)
        {
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 40); // the message now ends inside the template set
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset), (ushort)value);
        }

        var exception = Assert.Throws<NetworkInputException>(() => Decode(message));
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_record_cut_short_by_its_set_is_refused()
    {
        var message = IpfixMessages.TemplateAndRecord();
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(16 + 36 + 2), 4 + 20);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 16 + 36 + 24);
        Assert.Empty(Decode(message[..(16 + 36 + 24)])); // 20 bytes < the record's 29: padding (RFC 7011 §3.3.1), no flow
    }

    [Fact]
    public void Data_before_its_template_is_counted_not_decoded()
    {
        var message = IpfixMessages.TemplateAndRecord();
        var decoder = new FlowExportDecoder(new TemplateCache(4, 4));
        var dataOnly = new byte[16 + 33];
        message.AsSpan(0, 16).CopyTo(dataOnly);
        message.AsSpan(16 + 36).CopyTo(dataOnly.AsSpan(16));
        BinaryPrimitives.WriteUInt16BigEndian(dataOnly.AsSpan(2), (ushort)dataOnly.Length);
        var flows = new List<FlowRecord>();
        decoder.Decode(dataOnly, "x", flows);
        Assert.Equal((0, 1L), (flows.Count, decoder.UnknownTemplateRecords));
    }
}
