using Rampart.Adapters.Coap;
using Rampart.Testing;

namespace Rampart.Adapters.Tests.Coap;

/// <summary>RFC 7959: the Block option's encoding, and a Block1 upload's order and size limits.</summary>
public sealed class BlockwiseTests
{
    private static CoapMessage Post(CoapBlock block, int bytes, uint? size1 = null)
    {
        List<CoapOption> options = [block.Option(CoapOptions.Block1)];
        if (size1 is { } announced)
        {
            options.Add(CoapCodec.UInt(CoapOptions.Size1, announced));
        }

        return new CoapMessage(CoapType.Confirmable, CoapCodes.Post, 1, new byte[] { 1 }, options, Enumerable.Repeat((byte)'x', bytes).ToArray());
    }

    [Fact]
    public void A_block_option_round_trips_its_number_more_flag_and_size()
    {
        var block = new CoapBlock(1000, true, 2);
        var message = new CoapMessage(CoapType.Confirmable, CoapCodes.Get, 1, ReadOnlyMemory<byte>.Empty, [block.Option(CoapOptions.Block2)], ReadOnlyMemory<byte>.Empty);

        Assert.True(CoapBlock.TryRead(message, CoapOptions.Block2, out var read));
        Assert.Equal(block, read);
        Assert.Equal((64, 64_000L), (read!.Value.Size, read.Value.Offset));
        Assert.Equal(6, CoapBlock.ExponentOf(1024));
    }

    [Fact]
    public void A_block_with_the_reserved_size_exponent_is_malformed()
    {
        var message = new CoapMessage(CoapType.Confirmable, CoapCodes.Get, 1, ReadOnlyMemory<byte>.Empty, [CoapCodec.UInt(CoapOptions.Block1, 0x0F)], ReadOnlyMemory<byte>.Empty);
        Assert.False(CoapBlock.TryRead(message, CoapOptions.Block1, out _));
    }

    [Fact]
    public void An_upload_in_order_completes_with_the_whole_body()
    {
        var time = new ManualTimeProvider();
        var (upload, step) = BlockUpload.Add(null, "t", Post(new CoapBlock(0, true, 0), 16), new CoapBlock(0, true, 0), 100, TimeSpan.FromMinutes(1), time);
        Assert.False(step.Complete);
        (upload, step) = BlockUpload.Add(upload, "t", Post(new CoapBlock(1, false, 0), 5), new CoapBlock(1, false, 0), 100, TimeSpan.FromMinutes(1), time);

        Assert.True(step.Complete);
        Assert.Equal(21, upload!.Body.Length);
    }

    [Fact]
    public void A_gap_another_path_or_a_stale_upload_is_incomplete_and_an_oversized_one_too_large()
    {
        var time = new ManualTimeProvider();
        var timeout = TimeSpan.FromMinutes(1);
        var (upload, _) = BlockUpload.Add(null, "t", Post(new CoapBlock(0, true, 0), 16), new CoapBlock(0, true, 0), 40, timeout, time);

        Assert.Equal(CoapCodes.RequestEntityIncomplete, BlockUpload.Add(upload, "t", Post(new CoapBlock(2, true, 0), 16), new CoapBlock(2, true, 0), 40, timeout, time).Step.FailureCode);
        Assert.Equal(CoapCodes.RequestEntityIncomplete, BlockUpload.Add(upload, "other", Post(new CoapBlock(1, true, 0), 16), new CoapBlock(1, true, 0), 40, timeout, time).Step.FailureCode);
        Assert.Equal(CoapCodes.BadRequest, BlockUpload.Add(upload, "t", Post(new CoapBlock(1, true, 0), 3), new CoapBlock(1, true, 0), 40, timeout, time).Step.FailureCode);
        Assert.Equal(CoapCodes.RequestEntityTooLarge, BlockUpload.Add(null, "t", Post(new CoapBlock(0, true, 0), 16, size1: 41), new CoapBlock(0, true, 0), 40, timeout, time).Step.FailureCode);

        (upload, _) = BlockUpload.Add(upload, "t", Post(new CoapBlock(1, true, 0), 16), new CoapBlock(1, true, 0), 40, timeout, time);
        Assert.Equal(CoapCodes.RequestEntityTooLarge, BlockUpload.Add(upload, "t", Post(new CoapBlock(2, true, 0), 16), new CoapBlock(2, true, 0), 40, timeout, time).Step.FailureCode);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CoapCodes.RequestEntityIncomplete, BlockUpload.Add(upload, "t", Post(new CoapBlock(2, false, 0), 1), new CoapBlock(2, false, 0), 100, timeout, time).Step.FailureCode);
    }
}
