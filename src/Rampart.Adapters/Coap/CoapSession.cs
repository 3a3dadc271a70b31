using System.Text.Json;
using Org.BouncyCastle.Tls;
using Rampart.Adapters.Dtls;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Links;

namespace Rampart.Adapters.Coap;

/// <summary>
/// One established DTLS session of one device, and the CoAP resources it may use (RFC 7252):
/// <c>POST /t/{suffix}</c> publishes to <c>devices/{id}/telemetry/{suffix}</c>; <c>GET /c</c> with
/// Observe (RFC 7641) delivers the device's commands as notifications. <c>/d/{id}/t/…</c> and
/// <c>/d/{id}/c</c> name a device explicitly, so another device's resources meet the gateway's
/// refusal (and its events) like an MQTT PUBLISH or SUBSCRIBE would. Datagrams are decrypted on the
/// thread pool one at a time (no thread per session); sends are serialised.
/// </summary>
internal sealed class CoapSession : IAsyncDisposable
{
    // §4.5: remember recent message ids with their responses, so a retransmitted CON gets the same ACK and is not acted on twice.
    private const int RememberedMessages = 32;

    private readonly DtlsTransport _dtls;
    private readonly PeerTransport _transport;
    private readonly FrontDoorIdentity _identity;
    private readonly Func<CancellationToken, Task<FrontDoorResolution>> _recheck;
    private readonly DeviceLinks _links;
    private readonly AdapterGateway _gateway;
    private readonly AdapterOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _sendLock = new();
    private readonly Queue<(ushort Id, byte[]? Response)> _recent = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer;
    private int _draining;
    private int _messageId = Random.Shared.Next(ushort.MaxValue);
    private byte[]? _observeToken;
    private uint _observeSequence = 1;
    private Task _observer = Task.CompletedTask;
    private long _lastActivity;
    private long _duplicates;
    private volatile bool _closed;

    public CoapSession(DtlsTransport dtls, PeerTransport transport, FrontDoorIdentity identity, Func<CancellationToken, Task<FrontDoorResolution>> recheck,
        DeviceLinks links, AdapterGateway gateway, AdapterOptions options, TimeProvider time)
    {
        _dtls = dtls;
        _transport = transport;
        _identity = identity;
        _recheck = recheck;
        _links = links;
        _gateway = gateway;
        _options = options;
        _time = time;
        _buffer = new byte[dtls.GetReceiveLimit()];
        _lastActivity = time.GetTimestamp();
    }

    public FrontDoorIdentity Identity => _identity;

    public string Source => _transport.Remote.ToString();

    /// <summary>Retransmitted CoAP messages answered from memory (§4.5) since the session began.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public bool Closed => _closed;

    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    /// <summary>A datagram was queued on the transport: decrypt and handle what is there, once at a time.</summary>
    public void Pump()
    {
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _stop.Cancel();
        await _observer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_sendLock)
        {
            try
            {
                _dtls.Close();
            }
            catch (Exception exception) when (exception is IOException or TlsException)
            {
            }
        }

        _transport.Close();
    }

    private async Task DrainAsync()
    {
        try
        {
            while (!_closed)
            {
                int length;
                try
                {
                    // RFC 6347 §4.1.2.6: BouncyCastle's record layer drops records outside the replay window and ones that fail authentication.
                    length = _dtls.Receive(_buffer, 0, _buffer.Length, 1);
                }
                catch (Exception exception) when (exception is IOException or TlsException)
                {
                    // close_notify or a fatal alert from the peer: the session is over.
                    await DisposeAsync();
                    return;
                }

                if (length < 0)
                {
                    break;
                }

                Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
                await HandleAsync(_buffer.AsMemory(0, length).ToArray());
            }
        }
        finally
        {
            Volatile.Write(ref _draining, 0);
            if (_transport.HasPending && !_closed)
            {
                Pump();
            }
        }
    }

    private async Task HandleAsync(byte[] datagram)
    {
        if (!CoapCodec.TryDecode(datagram, out var request, out _))
        {
            // §4.2: a CON that cannot be parsed is rejected with RST when its message id can be read; anything else is ignored.
            if (datagram.Length >= 4 && (datagram[0] >> 4 & 0x3) == (byte)CoapType.Confirmable)
            {
                Send(CoapReplies.Reset((ushort)(datagram[2] << 8 | datagram[3])));
            }

            return;
        }

        var message = request!;
        switch (message.Type)
        {
            case CoapType.Reset:
                // RFC 7641 §3.6: a Reset to a notification cancels the observation.
                _observeToken = null;
                return;
            case CoapType.Acknowledgement:
                return;
        }

        if (message.Code == CoapCodes.Empty)
        {
            if (message.Type == CoapType.Confirmable)
            {
                Send(CoapReplies.Reset(message.MessageId));
            }

            return;
        }

        if (message.Code >> 5 != 0)
        {
            return; // a response: this server sends no requests.
        }

        if (Remembered(message.MessageId) is { } remembered)
        {
            Interlocked.Increment(ref _duplicates);
            if (remembered.Length > 0 && message.Type == CoapType.Confirmable)
            {
                SendRaw(remembered);
            }

            return;
        }

        var response = await RespondAsync(message);
        var encoded = CoapCodec.Encode(response);
        Remember(message.MessageId, encoded);
        SendRaw(encoded);
        if (response.Code == CoapCodes.Unauthorized)
        {
            // The credential is no longer good (revoked, rotated, device retired): end the DTLS session too.
            await DisposeAsync();
        }
    }

    private async Task<CoapMessage> RespondAsync(CoapMessage request)
    {
        foreach (var option in request.Options)
        {
            if (CoapOptions.IsCritical(option.Number) && !CoapOptions.IsKnown(option.Number))
            {
                // §5.4.1; Block1 (27) lands here too: block-wise transfer (RFC 7959) is not offered.
                return Reply(request, CoapCodes.BadOption, $"option {option.Number} is not supported");
            }
        }

        var path = request.Path.ToArray();
        var (deviceId, resource) = path is ["d", var id, ..] ? (id, path[2..]) : (_identity.DeviceId, path);
        return resource switch
        {
            ["t", .. var suffix] when suffix.Length > 0 && request.Code == CoapCodes.Post => await TelemetryAsync(request, deviceId, string.Join('/', suffix)),
            ["c"] when request.Code == CoapCodes.Get => await CommandsAsync(request, deviceId),
            ["t", ..] or ["c"] => Reply(request, CoapCodes.MethodNotAllowed, "POST /t/{name} or GET /c"),
            _ => Reply(request, CoapCodes.NotFound, "resources: POST /t/{name}, GET /c (Observe)"),
        };
    }

    private async Task<CoapMessage> TelemetryAsync(CoapMessage request, string deviceId, string suffix)
    {
        var (topic, problem) = DeviceTopics.Telemetry(deviceId, suffix, _options.MaxSuffixLength);
        if (topic is null)
        {
            return Reply(request, CoapCodes.BadRequest, problem);
        }

        if (request.Payload.Length > _options.MaxPayloadBytes)
        {
            return Reply(request, CoapCodes.RequestEntityTooLarge, $"the payload is over {_options.MaxPayloadBytes} bytes", [CoapCodec.UInt(CoapOptions.Size1, (uint)_options.MaxPayloadBytes)]);
        }

        var (link, refusal) = await LinkAsync();
        if (link is null)
        {
            return Refused(request, refusal!);
        }

        using var use = link.Use();
        var verdict = await link.PublishAsync(topic, request.Payload, Marks.For(FrontDoorNames.Coap, legacy: false),
            CoapOptions.ContentType(request.UInt(CoapOptions.ContentFormat)), _stop.Token);
        return verdict.Outcome switch
        {
            LinkOutcome.Accepted => Reply(request, CoapCodes.Changed),
            LinkOutcome.Forbidden => Reply(request, CoapCodes.Forbidden, verdict.Reason),
            LinkOutcome.Limited => Reply(request, CoapCodes.TooManyRequests, verdict.Reason),
            LinkOutcome.Closed => Reply(request, CoapCodes.ServiceUnavailable, verdict.Reason),
            _ => Reply(request, CoapCodes.BadRequest, verdict.Reason),
        };
    }

    private async Task<CoapMessage> CommandsAsync(CoapMessage request, string deviceId)
    {
        var (link, refusal) = await LinkAsync();
        if (link is null)
        {
            return Refused(request, refusal!);
        }

        if (deviceId != _identity.DeviceId)
        {
            var admission = link.Policy.AuthorizeSubscribe(DeviceTopics.Commands(deviceId));
            return Reply(request, CoapCodes.Forbidden, admission.Reason ?? $"{_identity.Identity.Principal} may not read the commands of {deviceId}");
        }

        var observe = request.UInt(CoapOptions.Observe);
        if (observe == 1)
        {
            _observeToken = null; // RFC 7641 §3.6: deregistration.
        }

        var options = new List<CoapOption> { CoapCodec.UInt(CoapOptions.ContentFormat, 50) };
        if (observe == 0)
        {
            // RFC 7641 §3.1/§4.1: register; the response and every notification carry the Observe sequence.
            _observeToken = request.Token.ToArray();
            options.Add(CoapCodec.UInt(CoapOptions.Observe, Interlocked.Increment(ref _observeSequence)));
            if (_observer.IsCompleted)
            {
                _observer = Task.Run(() => ObserveAsync(link));
            }

            return Reply(request, CoapCodes.Content, options: options);
        }

        return link.Commands.TryRead(out var command)
            ? Reply(request, CoapCodes.Content, options: options, payload: Json(command))
            : Reply(request, CoapCodes.Content, options: options);
    }

    // RFC 7641 §4.2: each command is a notification (2.05, the registration's token, a larger Observe
    // sequence). Sent NON (§4.5 allows it); a Reset from the client ends the observation.
    private async Task ObserveAsync(BrokerLink link)
    {
        using var use = link.Use();
        try
        {
            while (await link.Commands.WaitToReadAsync(_stop.Token))
            {
                if (_observeToken is not { } token)
                {
                    return;
                }

                if (link.Commands.TryRead(out var command))
                {
                    var options = new List<CoapOption>
                    {
                        CoapCodec.UInt(CoapOptions.Observe, Interlocked.Increment(ref _observeSequence) & 0xFFFFFF),
                        CoapCodec.UInt(CoapOptions.ContentFormat, 50),
                    };
                    Send(new CoapMessage(CoapType.NonConfirmable, CoapCodes.Content, NextMessageId(), token, options, Json(command)));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<(BrokerLink?, FrontDoorRefusal?)> LinkAsync()
    {
        if (_links.Find(_identity.DeviceId) is { } open && open.Policy.Identity.CertificateSerial == _identity.Credential && !open.Policy.Revoked)
        {
            return (open, null);
        }

        return await _links.AcquireAsync(_identity, Source, _recheck, _stop.Token);
    }

    private CoapMessage Refused(CoapMessage request, FrontDoorRefusal refusal) => Reply(request, refusal.Kind switch
    {
        FrontDoorRefusalKind.Forbidden => CoapCodes.Forbidden,
        FrontDoorRefusalKind.Limited => CoapCodes.TooManyRequests,
        FrontDoorRefusalKind.Invalid => CoapCodes.BadRequest,
        _ => CoapCodes.Unauthorized,
    }, refusal.Message);

    private CoapMessage Reply(CoapMessage request, byte code, string? diagnostic = null, IReadOnlyList<CoapOption>? options = null, ReadOnlyMemory<byte> payload = default) =>
        CoapReplies.To(request, code, NextMessageId(), diagnostic, options, payload);

    private static byte[] Json(DeviceCommand command) =>
        JsonSerializer.SerializeToUtf8Bytes(new CommandNotification(command.Name, Convert.ToBase64String(command.Payload.Span)), JsonSerializerOptions.Web);

    private ushort NextMessageId() => (ushort)Interlocked.Increment(ref _messageId);

    private byte[]? Remembered(ushort messageId)
    {
        lock (_recent)
        {
            foreach (var (id, response) in _recent)
            {
                if (id == messageId)
                {
                    return response ?? [];
                }
            }
        }

        return null;
    }

    private void Remember(ushort messageId, byte[] response)
    {
        lock (_recent)
        {
            if (_recent.Count == RememberedMessages)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue((messageId, response));
        }
    }

    private void Send(CoapMessage message) => SendRaw(CoapCodec.Encode(message));

    private void SendRaw(byte[] datagram)
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                _dtls.Send(datagram, 0, datagram.Length);
            }
            catch (Exception exception) when (exception is IOException or TlsException)
            {
                _closed = true;
            }
        }
    }

    private sealed record CommandNotification(string Name, string Payload);
}
