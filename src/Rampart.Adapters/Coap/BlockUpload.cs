namespace Rampart.Adapters.Coap;

/// <summary>
/// A telemetry body arriving in Block1 blocks (RFC 7959 §2.5, atomic: nothing is published until the
/// last block), one per session at a time. Blocks must come in order (a gap or a block of another
/// upload answers 4.08 Request Entity Incomplete, §2.9.2); the body is bounded by the same limit as a
/// single-datagram body (4.13 with Size1, §2.9.3), checked against Size1 when the client announces it
/// and against what has arrived. An upload idle for longer than <c>UploadTimeout</c> is forgotten.
/// </summary>
internal sealed class BlockUpload
{
    private readonly string _path;
    private readonly uint? _contentFormat;
    private readonly MemoryStream _body = new();
    private DateTimeOffset _lastBlock;

    private BlockUpload(string path, uint? contentFormat, TimeProvider time)
    {
        _path = path;
        _contentFormat = contentFormat;
        _lastBlock = time.GetUtcNow();
    }

    public string Path => _path;

    public uint? ContentFormat => _contentFormat;

    public ReadOnlyMemory<byte> Body => _body.GetBuffer().AsMemory(0, (int)_body.Length);

    /// <summary>The outcome of one block: a failure (code and reason), still incomplete, or complete.</summary>
    public readonly record struct Step(byte? FailureCode, string? Problem, bool Complete);

    /// <summary>
    /// Adds <paramref name="block"/> of a POST to <paramref name="path"/>: block 0 starts a new upload
    /// (replacing <paramref name="current"/>); a later one must continue <paramref name="current"/>.
    /// </summary>
    public static (BlockUpload? Upload, Step Step) Add(BlockUpload? current, string path, CoapMessage request, CoapBlock block, int maxBytes, TimeSpan timeout, TimeProvider time)
    {
        if (block.More && request.Payload.Length != block.Size)
        {
            // §2.2: every block but the last carries exactly the block size.
            return (null, new Step(CoapCodes.BadRequest, $"block {block.Number} carries {request.Payload.Length} bytes, not its size {block.Size}", false));
        }

        if (request.UInt(CoapOptions.Size1) is { } announced && announced > maxBytes)
        {
            return (null, new Step(CoapCodes.RequestEntityTooLarge, $"the payload is over {maxBytes} bytes", false));
        }

        var upload = current;
        if (block.Number == 0)
        {
            upload = new BlockUpload(path, request.UInt(CoapOptions.ContentFormat), time);
        }
        else if (upload is null || upload._path != path || upload._body.Length != block.Offset || time.GetUtcNow() - upload._lastBlock > timeout)
        {
            return (null, new Step(CoapCodes.RequestEntityIncomplete, $"block {block.Number} does not continue an upload to /{path} (send block 0 first, then each block in order)", false));
        }

        if (upload._body.Length + request.Payload.Length > maxBytes)
        {
            return (null, new Step(CoapCodes.RequestEntityTooLarge, $"the payload is over {maxBytes} bytes", false));
        }

        upload._body.Write(request.Payload.Span);
        upload._lastBlock = time.GetUtcNow();
        return (upload, new Step(null, null, !block.More));
    }
}
