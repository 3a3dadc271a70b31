using Rampart.Adapters.Coap;

namespace Rampart.Adapters.Tests.Coap;

/// <summary>The CoAP message format (RFC 7252 §3) against hand-written bytes and malformed input.</summary>
public sealed class CoapCodecTests
{
    [Fact]
    public void A_confirmable_POST_with_a_token_path_content_format_and_payload_decodes_field_by_field()
    {
        // §3: 0x42 = ver 1, CON, TKL 2; 0.02 POST; mid 0x1234; token AB CD; Uri-Path "t" (delta 11, len 1),
        // Uri-Path "temp" (delta 0, len 4), Content-Format 0 (delta 1, len 0); 0xFF; "21".
        byte[] wire = [0x42, 0x02, 0x12, 0x34, 0xAB, 0xCD, 0xB1, (byte)'t', 0x04, (byte)'t', (byte)'e', (byte)'m', (byte)'p', 0x10, 0xFF, (byte)'2', (byte)'1'];

        Assert.True(CoapCodec.TryDecode(wire, out var message, out var problem), problem);
        Assert.Equal((CoapType.Confirmable, CoapCodes.Post, (ushort)0x1234), (message!.Type, message.Code, message.MessageId));
        Assert.Equal([0xAB, 0xCD], message.Token.ToArray());
        Assert.Equal(["t", "temp"], message.Path);
        Assert.Equal(0u, message.UInt(CoapOptions.ContentFormat));
        Assert.Equal("21"u8.ToArray(), message.Payload.ToArray());
        Assert.Equal(wire, CoapCodec.Encode(message));
    }

    [Fact]
    public void Options_with_one_and_two_byte_extended_deltas_and_lengths_round_trip()
    {
        var longValue = new byte[300];
        Random.Shared.NextBytes(longValue);
        var message = new CoapMessage(CoapType.NonConfirmable, CoapCodes.Content, 7, new byte[8],
            [CoapCodec.UInt(CoapOptions.Observe, 0x123456), new CoapOption(CoapOptions.UriPath, longValue), new CoapOption(2000, new byte[20])], "x"u8.ToArray());

        Assert.True(CoapCodec.TryDecode(CoapCodec.Encode(message), out var decoded, out var problem), problem);
        Assert.Equal(0x123456u, decoded!.UInt(CoapOptions.Observe));
        Assert.Equal(longValue, decoded.Options.Single(o => o.Number == CoapOptions.UriPath).Value.ToArray());
        Assert.Equal(20, decoded.Options.Single(o => o.Number == 2000).Value.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0x01 }, "shorter than the 4-byte header")]
    [InlineData(new byte[] { 0x80, 0x01, 0x00, 0x01 }, "version 2")]
    [InlineData(new byte[] { 0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, "token length 9")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xFF }, "payload marker without a payload")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0xF0 }, "reserved option delta")]
    [InlineData(new byte[] { 0x40, 0x01, 0x00, 0x01, 0x15, 1 }, "option past the end")]
    [InlineData(new byte[] { 0x41, 0x00, 0x00, 0x01, 0x01 }, "an Empty message with content")]
    public void Malformed_messages_are_refused_with_the_reason(byte[] wire, string reason)
    {
        Assert.False(CoapCodec.TryDecode(wire, out var message, out var problem));
        Assert.Null(message);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(21);
        for (var i = 0; i < 20_000; i++)
        {
            var wire = new byte[random.Next(0, 64)];
            random.NextBytes(wire);
            if (CoapCodec.TryDecode(wire, out var message, out _))
            {
                Assert.True(message!.Token.Length <= 8);
            }
        }
    }

    [Fact]
    public void Critical_options_are_the_odd_numbers_and_block_wise_transfer_is_understood()
    {
        Assert.True(CoapOptions.IsCritical(CoapOptions.UriPath));
        Assert.False(CoapOptions.IsCritical(CoapOptions.Observe));
        Assert.True(CoapOptions.IsCritical(CoapOptions.Block1));
        Assert.True(CoapOptions.IsKnown(CoapOptions.Block1));
    }
}
