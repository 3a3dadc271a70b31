using Microsoft.AspNetCore.Http;

namespace Rampart.Server.Http;

/// <summary>
/// A request body that refuses, with 413, the first read that would take it past its limit. It
/// counts in the application's own reads, so the refusal surfaces where the body is read (JSON
/// binding, an upload loop) as a <see cref="BadHttpRequestException"/> the problem handler answers.
/// </summary>
internal sealed class LimitedRequestBody(Stream inner, long limit, long? declaredLength) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    /// <summary>The 413 message; it names the limit, never any of the body.</summary>
    public static string TooLarge(long limit) => $"the request body is over {limit} bytes";

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A declared length over the limit is refused before a byte of it is read.
        Check(declaredLength ?? 0);
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        Check(_read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        Check(declaredLength ?? 0);
        var read = inner.Read(buffer, offset, count);
        _read += read;
        Check(_read);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Check(long length)
    {
        if (length > limit)
        {
            throw new BadHttpRequestException(TooLarge(limit), StatusCodes.Status413PayloadTooLarge);
        }
    }
}
