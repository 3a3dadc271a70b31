using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace Rampart.Pki.Tls;

/// <summary>
/// One TLS connection over OpenSSL memory BIOs — the MQTT listener's server side, and the device
/// SDK's client side when its key is held in a TPM: ciphertext moves between the transport
/// pipe and the BIOs, plaintext between OpenSSL and the application's pipe. Nothing is held per
/// connection while it is idle but the <c>SSL*</c> itself: the transport is read with zero-byte reads
/// (Kestrel's default), the record buffers are released when empty (<c>SSL_MODE_RELEASE_BUFFERS</c>),
/// the BIOs that grew during the handshake are replaced by empty ones, and the plaintext pipes hold
/// segments only while data is in them. Every OpenSSL call on the <c>SSL*</c> is made under one lock
/// (an <c>SSL*</c> is not thread-safe); writes to the transport are serialised by another.
/// </summary>
internal sealed class OpenSslConnection : IDuplexPipe, IAsyncDisposable
{
    // At most one TLS record's worth of ciphertext is handed to OpenSSL at a time (RFC 8446 §5.2: 2^14 + 256),
    // so the read BIO never holds more than that whatever a peer sends.
    private const int Chunk = 16 * 1024 + 512;

    // A BIO that grew past this (a handshake flight) is replaced by an empty one once drained.
    private const int KeptBioBytes = 1024;

    private static readonly PipeOptions PlaintextPipe = new(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: 4096, useSynchronizationContext: false);

    [ThreadStatic]
    private static byte[]? _scratch;

    private readonly IDuplexPipe _transport;
    private readonly Pipe _input = new(PlaintextPipe);
    private readonly Pipe _output = new(PlaintextPipe);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly object _sync = new();
    private nint _ssl;
    private nint _rbio;
    private nint _wbio;
    private int _rbioWritten;
    private Task? _reading;
    private Task? _writing;
    private volatile bool _abandoned;

    private OpenSslConnection(IDuplexPipe transport, nint ssl, bool client)
    {
        _transport = transport;
        _ssl = ssl;
        NewBios(read: true, write: true);
        if (client)
        {
            OpenSslNative.SSL_set_connect_state(ssl);
        }
        else
        {
            OpenSslNative.SSL_set_accept_state(ssl);
        }
    }

    /// <inheritdoc />
    public PipeReader Input => _input.Reader;

    /// <inheritdoc />
    public PipeWriter Output => _output.Writer;

    /// <summary>The peer's certificate (DER), after the handshake: the client's on a server, the server's on a client.</summary>
    public byte[]? ClientCertificate { get; private set; }

    /// <summary>The negotiated protocol version, e.g. "TLSv1.3".</summary>
    public string? Protocol { get; private set; }

    /// <summary>The negotiated cipher suite (OpenSSL name).</summary>
    public string? CipherSuite { get; private set; }

    /// <summary>The ALPN id agreed, or empty.</summary>
    public ReadOnlyMemory<byte> ApplicationProtocol { get; private set; }

    /// <summary>
    /// Runs the server handshake over <paramref name="transport"/> on <paramref name="ssl"/> (which the
    /// connection then owns); null (with the reason) when it failed: not TLS, a protocol, suite or
    /// certificate below policy, the peer gone, or the token cancelled.
    /// </summary>
    public static Task<(OpenSslConnection? Connection, string? Failure)> AcceptAsync(nint ssl, IDuplexPipe transport, CancellationToken cancellationToken) =>
        OpenAsync(new OpenSslConnection(transport, ssl, client: false), cancellationToken);

    /// <summary>Runs the client handshake over <paramref name="transport"/> on <paramref name="ssl"/> (which the connection then owns); null with the reason when it failed.</summary>
    public static Task<(OpenSslConnection? Connection, string? Failure)> ConnectAsync(nint ssl, IDuplexPipe transport, CancellationToken cancellationToken) =>
        OpenAsync(new OpenSslConnection(transport, ssl, client: true), cancellationToken);

    private static async Task<(OpenSslConnection? Connection, string? Failure)> OpenAsync(OpenSslConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var failure = await connection.HandshakeAsync(cancellationToken);
            if (failure is null)
            {
                connection.Start();
                return (connection, null);
            }

            await connection.DisposeAsync();
            return (null, failure);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or InvalidOperationException)
        {
            await connection.DisposeAsync();
            return (null, exception is OperationCanceledException ? "the handshake timed out" : exception.Message);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // The application is done with both directions: a close_notify goes out if the write loop is
        // still running (RFC 8446 §6.1), the read loop stops waiting for the transport.
        _output.Writer.Complete();
        _input.Reader.Complete();
        if (_writing is not null)
        {
            // What the application wrote last (a refusing CONNACK, a DISCONNECT) goes out first; a peer
            // that stopped reading gets a bounded wait, then its pending flush is abandoned.
            try
            {
                await _writing.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _abandoned = true;
                _transport.Output.CancelPendingFlush();
                await _writing.ConfigureAwait(false);
            }
        }

        _transport.Input.CancelPendingRead();
        if (_reading is not null)
        {
            await _reading.ConfigureAwait(false);
        }

        lock (_sync)
        {
            if (_ssl != 0)
            {
                OpenSslNative.SSL_free(_ssl); // frees both BIOs too
                _ssl = 0;
            }
        }

        _sending.Dispose();
    }

    private static byte[] Scratch => _scratch ??= GC.AllocateUninitializedArray<byte>(Chunk, pinned: true);

    private async Task<string?> HandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int result;
            int error;
            string? reason;
            lock (_sync)
            {
                result = OpenSslNative.SSL_do_handshake(_ssl);
                error = result == 1 ? 0 : OpenSslNative.SSL_get_error(_ssl, result);
                reason = error is 0 or OpenSslNative.SslErrorWantRead ? null : OpenSslNative.TakeError();
            }

            // The server's flight, or the alert that ends a failed handshake.
            await SendPendingAsync(cancellationToken);
            if (result == 1)
            {
                Completed();
                return null;
            }

            if (error != OpenSslNative.SslErrorWantRead)
            {
                return "TLS handshake failed: " + (reason ?? $"SSL_get_error {error}");
            }

            var read = await _transport.Input.ReadAsync(cancellationToken);
            if (read.Buffer.IsEmpty && (read.IsCompleted || read.IsCanceled))
            {
                _transport.Input.AdvanceTo(read.Buffer.End);
                return "the peer closed the connection during the TLS handshake";
            }

            // One record's worth at a time: the handshake consumes it before more is handed over.
            var chunk = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, Chunk));
            lock (_sync)
            {
                Feed(chunk);
            }

            _transport.Input.AdvanceTo(chunk.End);
        }
    }

    private unsafe void Completed()
    {
        lock (_sync)
        {
            var peer = OpenSslNative.SSL_get1_peer_certificate(_ssl);
            if (peer != 0)
            {
                ClientCertificate = OpenSslNative.Der(peer);
                OpenSslNative.X509_free(peer);
            }

            Protocol = Marshal.PtrToStringUTF8(OpenSslNative.SSL_get_version(_ssl));
            CipherSuite = Marshal.PtrToStringUTF8(OpenSslNative.SSL_CIPHER_get_name(OpenSslNative.SSL_get_current_cipher(_ssl)));
            byte* alpn;
            uint length;
            OpenSslNative.SSL_get0_alpn_selected(_ssl, &alpn, &length);
            ApplicationProtocol = length == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlySpan<byte>(alpn, (int)length).ToArray();

            // The handshake's flights grew both BIOs to a few KiB; idle connections keep empty ones.
            NewBios(read: OpenSslNative.BIO_ctrl(_rbio, OpenSslNative.BioCtrlPending, 0, 0) == 0, write: OpenSslNative.BIO_ctrl(_wbio, OpenSslNative.BioCtrlPending, 0, 0) == 0);
        }
    }

    private void Start()
    {
        _reading = Task.Run(ReadLoopAsync);
        _writing = Task.Run(WriteLoopAsync);
    }

    // Ciphertext from the transport → plaintext for the application.
    private async Task ReadLoopAsync()
    {
        var writer = _input.Writer;
        Exception? failure = null;
        try
        {
            // Application data that arrived with the client's Finished (a CONNECT right behind it) is already in the read BIO.
            bool early;
            lock (_sync)
            {
                early = _ssl == 0 || Decrypt(writer);
            }

            if (early || (await writer.FlushAsync()).IsCompleted)
            {
                await writer.CompleteAsync();
                return;
            }

            while (true)
            {
                var read = await _transport.Input.ReadAsync();
                if (read.IsCanceled || (read.Buffer.IsEmpty && read.IsCompleted))
                {
                    _transport.Input.AdvanceTo(read.Buffer.End);
                    break;
                }

                var buffer = read.Buffer;
                var closed = false;
                var reply = false;
                while (!buffer.IsEmpty && !closed)
                {
                    var chunk = buffer.Slice(0, Math.Min(buffer.Length, Chunk));
                    lock (_sync)
                    {
                        if (_ssl == 0)
                        {
                            closed = true;
                            break;
                        }

                        Feed(chunk);
                        closed = Decrypt(writer);
                        reply = OpenSslNative.BIO_ctrl(_wbio, OpenSslNative.BioCtrlPending, 0, 0) > 0;
                        ReleaseReadBio();
                    }

                    buffer = buffer.Slice(chunk.End);
                }

                _transport.Input.AdvanceTo(buffer.Start);

                // A key update (RFC 8446 §4.6.3) or an alert OpenSSL wants to answer with.
                if (reply)
                {
                    await SendPendingAsync(CancellationToken.None);
                }

                var flushed = await writer.FlushAsync();
                if (closed || flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            // The transport failed or the connection is being torn down: the application sees the end of its input.
            failure = exception;
        }

        _ = failure;
        await writer.CompleteAsync();
    }

    // Plaintext from the application → records on the transport; a close_notify when the application is done.
    private async Task WriteLoopAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                foreach (var segment in read.Buffer)
                {
                    lock (_sync)
                    {
                        if (_ssl == 0)
                        {
                            break;
                        }

                        Encrypt(segment.Span);
                    }
                }

                reader.AdvanceTo(read.Buffer.End);
                if (!await SendPendingAsync(CancellationToken.None) || read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }

            if (!_abandoned)
            {
                lock (_sync)
                {
                    if (_ssl != 0)
                    {
                        OpenSslNative.SSL_shutdown(_ssl);
                        OpenSslNative.ERR_clear_error();
                    }
                }

                await SendPendingAsync(CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            // The transport is gone: nothing more can be sent.
        }

        await reader.CompleteAsync();
    }

    // Hands one chunk of ciphertext to the read BIO (under _sync).
    private unsafe void Feed(ReadOnlySequence<byte> chunk)
    {
        foreach (var segment in chunk)
        {
            fixed (byte* data = segment.Span)
            {
                OpenSslNative.BIO_write(_rbio, data, segment.Length);
            }

            _rbioWritten += segment.Length;
        }
    }

    // Everything OpenSSL can decrypt now, into the application's pipe (under _sync); true at close_notify or a fatal error.
    private unsafe bool Decrypt(PipeWriter writer)
    {
        var scratch = Scratch;
        while (true)
        {
            int result;
            fixed (byte* data = scratch)
            {
                result = OpenSslNative.SSL_read(_ssl, data, scratch.Length);
            }

            if (result > 0)
            {
                writer.Write(scratch.AsSpan(0, result));
                continue;
            }

            var error = OpenSslNative.SSL_get_error(_ssl, result);
            OpenSslNative.ERR_clear_error();
            return error != OpenSslNative.SslErrorWantRead;
        }
    }

    // One application write, encrypted into the write BIO (under _sync).
    private unsafe void Encrypt(ReadOnlySpan<byte> plaintext)
    {
        while (!plaintext.IsEmpty)
        {
            int result;
            fixed (byte* data = plaintext)
            {
                result = OpenSslNative.SSL_write(_ssl, data, plaintext.Length);
            }

            if (result <= 0)
            {
                OpenSslNative.ERR_clear_error();
                throw new IOException("TLS write failed: SSL_get_error " + OpenSslNative.SSL_get_error(_ssl, result));
            }

            plaintext = plaintext[result..];
        }
    }

    // Moves what OpenSSL wrote into the write BIO to the transport; false when the transport is closed.
    private async ValueTask<bool> SendPendingAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            var output = _transport.Output;
            var any = false;
            lock (_sync)
            {
                if (_ssl == 0)
                {
                    return false;
                }

                any = Drain(output);
            }

            if (!any)
            {
                return !_abandoned;
            }

            var flushed = await output.FlushAsync(cancellationToken);
            return !flushed.IsCompleted && !(flushed.IsCanceled && _abandoned);
        }
        finally
        {
            _sending.Release();
        }
    }

    // The write BIO's records into the transport's buffer (under _sync); true when there were any.
    private unsafe bool Drain(PipeWriter output)
    {
        var drained = 0;
        while (OpenSslNative.BIO_ctrl(_wbio, OpenSslNative.BioCtrlPending, 0, 0) > 0)
        {
            var span = output.GetSpan(4096);
            int read;
            fixed (byte* data = span)
            {
                read = OpenSslNative.BIO_read(_wbio, data, span.Length);
            }

            if (read <= 0)
            {
                break;
            }

            output.Advance(read);
            drained += read;
        }

        if (drained > KeptBioBytes)
        {
            NewBios(read: false, write: true);
        }

        return drained > 0;
    }

    private void ReleaseReadBio()
    {
        if (_rbioWritten > KeptBioBytes && OpenSslNative.BIO_ctrl(_rbio, OpenSslNative.BioCtrlPending, 0, 0) == 0)
        {
            NewBios(read: true, write: false);
        }
    }

    // Fresh, empty memory BIOs (SSL_set0_* frees the ones they replace). A memory BIO read dry asks to retry, never reports EOF.
    private void NewBios(bool read, bool write)
    {
        if (read)
        {
            _rbio = NewBio();
            _rbioWritten = 0;
            if (write)
            {
                _wbio = NewBio();
                OpenSslNative.SSL_set_bio(_ssl, _rbio, _wbio);
                return;
            }

            OpenSslNative.SSL_set0_rbio(_ssl, _rbio);
        }
        else if (write)
        {
            _wbio = NewBio();
            OpenSslNative.SSL_set0_wbio(_ssl, _wbio);
        }
    }

    private static nint NewBio()
    {
        var bio = OpenSslNative.BIO_new(OpenSslNative.BIO_s_mem());
        if (bio == 0)
        {
            throw new InvalidOperationException("BIO_new failed: " + OpenSslNative.TakeError());
        }

        OpenSslNative.BIO_ctrl(bio, OpenSslNative.BioCtrlSetMemEofReturn, -1, 0);
        return bio;
    }
}
