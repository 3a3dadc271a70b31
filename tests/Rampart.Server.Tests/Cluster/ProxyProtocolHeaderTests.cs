using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Rampart.Server.Cluster.LoadBalancer;

namespace Rampart.Server.Tests.Cluster;

/// <summary>The PROXY protocol v2 reader (HAProxy's spec §2.2), byte by byte.</summary>
public sealed class ProxyProtocolHeaderTests
{
    [Fact]
    public void An_ipv4_proxy_header_gives_the_client_address_and_leaves_the_bytes_after_it()
    {
        var header = Header(IPEndPoint.Parse("203.0.113.7:50123"), IPEndPoint.Parse("10.0.0.2:8883"));
        var buffer = new ReadOnlySequence<byte>([.. header, 0x16, 0x03, 0x01]);

        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolHeader.TryRead(buffer, out var source, out var consumed, out _));
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:50123"), source);
        Assert.Equal([0x16, 0x03, 0x01], buffer.Slice(consumed).ToArray());
    }

    [Fact]
    public void An_ipv6_header_split_across_segments_is_read_whole()
    {
        var header = Header(IPEndPoint.Parse("[2001:db8::7]:4000"), IPEndPoint.Parse("[2001:db8::1]:8883"));
        var first = new Segment(header.AsMemory(0, 5));
        var last = first.Append(header.AsMemory(5));
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolHeader.TryRead(buffer, out var source, out _, out _));
        Assert.Equal(IPEndPoint.Parse("[2001:db8::7]:4000"), source);
    }

    [Fact]
    public void A_header_that_has_not_fully_arrived_is_incomplete_at_every_length()
    {
        var header = Header(IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2"));
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>(header.AsMemory(0, length)), out _, out _, out _));
        }
    }

    [Fact]
    public void A_local_command_from_the_balancers_health_check_keeps_the_connections_own_address()
    {
        var header = Header(IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2"));
        header[12] = 0x20;

        Assert.Equal(ProxyHeaderStatus.Complete, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>(header), out var source, out _, out _));
        Assert.Null(source);
    }

    [Theory]
    [InlineData(0, 0x16, "signature")]
    [InlineData(12, 0x11, "version")]
    [InlineData(12, 0x22, "command")]
    [InlineData(13, 0x12, "protocol")]
    [InlineData(13, 0x31, "family")]
    public void A_header_with_a_wrong_byte_is_refused_with_its_reason(int offset, byte value, string reason)
    {
        var header = Header(IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2"));
        header[offset] = value;

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>(header), out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_tls_client_hello_without_a_header_is_refused_at_its_first_byte()
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>([0x16]), out _, out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_announcing_more_than_the_limit_is_refused_before_it_is_buffered()
    {
        var header = Header(IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2"));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), ProxyProtocolHeader.MaximumLength);

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>(header.AsMemory(0, 16)), out _, out _, out var error));
        Assert.Contains("limit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_block_shorter_than_its_family_needs_is_refused()
    {
        var header = Header(IPEndPoint.Parse("192.0.2.1:1"), IPEndPoint.Parse("192.0.2.2:2"))[..20];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), 4);

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyProtocolHeader.TryRead(new ReadOnlySequence<byte>(header), out _, out _, out var error));
        Assert.Contains("too short", error, StringComparison.Ordinal);
    }

    /// <summary>A PROXY command over TCP as HAProxy's <c>send-proxy-v2</c> writes it (§2.2).</summary>
    internal static byte[] Header(IPEndPoint source, IPEndPoint destination)
    {
        var size = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 16 : 4;
        var header = new byte[16 + (size * 2) + 4];
        ProxyProtocolHeader.Signature.CopyTo(header);
        header[12] = 0x21;
        header[13] = (byte)(size == 16 ? 0x21 : 0x11);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)((size * 2) + 4));
        source.Address.GetAddressBytes().CopyTo(header, 16);
        destination.Address.GetAddressBytes().CopyTo(header, 16 + size);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (size * 2)), (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (size * 2)), (ushort)destination.Port);
        return header;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
