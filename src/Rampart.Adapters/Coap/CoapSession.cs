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
/// thread pool one at a time (no thread per session); sends are serialised. Block-wise transfer
/// (RFC 7959): telemetry may arrive in Block1 blocks (<see cref="BlockUpload"/>), commands larger than
/// a block go out in Block2 blocks (<see cref="CommandRepresentation"/>); notifications are CON with
/// retransmission (<see cref="CoapObserver"/>).
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
    private readonly CoapListenerOptions _coap;
    private readonly Action _observerDropped;
    private readonly CoapObserver _observation;
    private readonly TimeProvider _time;
    private readonly Lock _sendLock = new();
    private readonly RecentReplies _recent = new(RememberedMessages);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer;
    private int _draining;
    private int _messageId = Random.Shared.Next(ushort.MaxValue);
    private Task _observer = Task.CompletedTask;
    private BlockUpload? _upload;
    private CommandRepresentation? _representation;
    private int _blockExponent;
    private long _lastActivity;
    private long _duplicates;
    private volatile bool _closed;

    public CoapSession(DtlsTransport dtls, PeerTransport transport, FrontDoorIdentity identity, Func<CancellationToken, Task<FrontDoorResolution>> recheck,
        DeviceLinks links, AdapterGateway gateway, AdapterOptions options, CoapListenerOptions coap, Action observerDropped, TimeProvider time)
    {
        _coap = coap;
        _observerDropped = observerDropped;
        _blockExponent = CoapBlock.ExponentOf(coap.BlockSize);
        _observation = new CoapObserver(coap, time, Send, NextMessageId);
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

    /// <summary>True while the device observes <c>/c</c>.</summary>
    public bool Observing => _observation.Token is not null;

    /// <summary>Confirmable notifications retransmitted in this session.</summary>
    public long Retransmissions => _observation.Retransmissions;

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
                _observation.Answer(message.MessageId, acknowledged: false);
                _observation.Deregister();
                return;
            case CoapType.Acknowledgement:
                _observation.Answer(message.MessageId, acknowledged: true);
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

        if (_recent.Find(message.MessageId) is { } remembered)
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
        _recent.Remember(message.MessageId, encoded);
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
                // §5.4.1.
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
            return TooLarge(request);
        }

        if (!CoapBlock.TryRead(request, CoapOptions.Block1, out var block))
        {
            return Reply(request, CoapCodes.BadOption, "the Block1 option is malformed (RFC 7959 §2.2)");
        }

        var payload = request.Payload;
        var contentFormat = request.UInt(CoapOptions.ContentFormat);
        if (block is { } part)
        {
            var (upload, step) = BlockUpload.Add(_upload, topic, request, part, _options.MaxPayloadBytes, _coap.UploadTimeout, _time);
            _upload = step.Complete ? null : upload;
            if (step.FailureCode is { } failure)
            {
                return failure == CoapCodes.RequestEntityTooLarge ? TooLarge(request) : Reply(request, failure, step.Problem);
            }

            if (!step.Complete)
            {
                // §2.3: 2.31 Continue, echoing the block (the client may go on at this size).
                return Reply(request, CoapCodes.Continue, options: [part.Option(CoapOptions.Block1)]);
            }

            (payload, contentFormat) = (upload!.Body, upload.ContentFormat);
        }

        var (link, refusal) = await LinkAsync();
        if (link is null)
        {
            return Refused(request, refusal!);
        }

        using var use = link.Use();
        var verdict = await link.PublishAsync(topic, payload, Marks.For(FrontDoorNames.Coap, legacy: false),
            CoapOptions.ContentType(contentFormat), _stop.Token);
        return verdict.Outcome switch
        {
            LinkOutcome.Accepted => Reply(request, CoapCodes.Changed, options: block is { } last ? new[] { last.Option(CoapOptions.Block1) } : null),
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

        if (!CoapBlock.TryRead(request, CoapOptions.Block2, out var wanted))
        {
            return Reply(request, CoapCodes.BadOption, "the Block2 option is malformed (RFC 7959 §2.2)");
        }

        if (wanted is { } asked)
        {
            // §2.4: the client's SZX is its preferred (never larger than this server's) block size from now on.
            _blockExponent = Math.Min(asked.SizeExponent, CoapBlock.ExponentOf(_coap.BlockSize));
            if (asked.Number > 0)
            {
                return Continuation(request, asked.Number);
            }
        }

        var observe = request.UInt(CoapOptions.Observe);
        if (observe == 1)
        {
            _observation.Deregister(); // RFC 7641 §3.6: deregistration.
        }

        if (observe == 0)
        {
            // RFC 7641 §3.1/§4.1: register; the response and every notification carry the Observe sequence.
            _observation.Register(request.Token.ToArray());
            if (_observer.IsCompleted)
            {
                _observer = Task.Run(() => ObserveAsync(link));
            }

            return Reply(request, CoapCodes.Content, options: [CoapCodec.UInt(CoapOptions.ContentFormat, 50), CoapCodec.UInt(CoapOptions.Observe, _observation.NextSequence())]);
        }

        if (await link.TakeAsync() is not { } command)
        {
            return Reply(request, CoapCodes.Content, options: [CoapCodec.UInt(CoapOptions.ContentFormat, 50)]);
        }

        var first = Represent(command);
        return Reply(request, CoapCodes.Content, options: first.Options, payload: first.Payload);
    }

    // RFC 7959 §2.4: a later block of the latest command representation; past its end is 4.02 (§2.2).
    private CoapMessage Continuation(CoapMessage request, uint number) =>
        _representation?.Block(number, _blockExponent) is { } block
            ? Reply(request, CoapCodes.Content, options: block.Options, payload: block.Payload)
            : Reply(request, CoapCodes.BadOption, _representation is null ? "no command is being transferred block-wise" : $"block {number} lies past the end of the command");

    private (ReadOnlyMemory<byte> Payload, List<CoapOption> Options) Represent(DeviceCommand command)
    {
        var representation = CommandRepresentation.Of(command);
        _representation = representation;
        return representation.Block(0, _blockExponent)!.Value;
    }

    // RFC 7641 §4.2: each command is a notification (2.05, the registration's token, a larger Observe
    // sequence), CON or NON as CoapObserver decides. A command whose notification was reset or never
    // acknowledged goes back to the link (so a later GET /c or the next link gets it) and the observer is removed (§3.6, §4.5).
    private async Task ObserveAsync(BrokerLink link)
    {
        using var use = link.Use();
        try
        {
            while (await link.Commands.WaitToReadAsync(_stop.Token))
            {
                if (_observation.Token is not { } token)
                {
                    return;
                }

                if (await link.TakeAsync() is not { } command)
                {
                    continue;
                }

                var first = Represent(command);
                first.Options.Add(CoapCodec.UInt(CoapOptions.Observe, _observation.NextSequence()));
                var outcome = await _observation.NotifyAsync(
                    (type, messageId) => new CoapMessage(type, CoapCodes.Content, messageId, token, first.Options, first.Payload), _stop.Token);
                if (outcome is NotificationOutcome.Rejected or NotificationOutcome.Unanswered)
                {
                    await _links.ReturnAsync(_identity.DeviceId, link, command);

                    _observation.Deregister();
                    if (outcome == NotificationOutcome.Unanswered)
                    {
                        _observerDropped();
                    }

                    return;
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

    private CoapMessage TooLarge(CoapMessage request) =>
        Reply(request, CoapCodes.RequestEntityTooLarge, $"the payload is over {_options.MaxPayloadBytes} bytes", [CoapCodec.UInt(CoapOptions.Size1, (uint)_options.MaxPayloadBytes)]);

    private ushort NextMessageId() => (ushort)Interlocked.Increment(ref _messageId);

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
}
