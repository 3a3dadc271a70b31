namespace Rampart.Adapters.Coap;

/// <summary>How a notification ended (RFC 7641 §4.5).</summary>
internal enum NotificationOutcome
{
    /// <summary>Sent NON: no acknowledgement is expected.</summary>
    Sent,

    /// <summary>A CON the client acknowledged.</summary>
    Acknowledged,

    /// <summary>The client answered with a Reset: it is not interested (§3.6).</summary>
    Rejected,

    /// <summary>A CON not acknowledged after <c>MaxRetransmit</c> retransmissions (RFC 7252 §4.2): the client is gone.</summary>
    Unanswered,
}

/// <summary>
/// One observation of <c>/c</c> (RFC 7641) in a session: its token, the Observe sequence, and the one
/// confirmable notification in flight (RFC 7252 §4.7, NSTART 1). A CON is retransmitted with the
/// binary exponential back-off of RFC 7252 §4.2 — the first timeout a random value between
/// <c>AckTimeout</c> and <c>AckTimeout × AckRandomFactor</c>, doubled each time, at most
/// <c>MaxRetransmit</c> times — and the observer is removed when it never acknowledges (RFC 7641 §4.5).
/// Notifications are CON when <c>ConfirmableNotifications</c> is set, otherwise NON with every
/// <c>ConfirmableEvery</c>-th one CON and at least one CON a day, so a vanished client is found (§4.5).
/// </summary>
internal sealed class CoapObserver(CoapListenerOptions options, TimeProvider time, Action<CoapMessage> send, Func<ushort> nextMessageId)
{
    private static readonly TimeSpan MaxNonConfirmableSpell = TimeSpan.FromHours(24);
    private readonly Lock _lock = new();
    private byte[]? _token;
    private TaskCompletionSource<bool>? _pending;
    private ushort _pendingId;
    private uint _sequence = 1;
    private long _count;
    private long _lastConfirmable = time.GetTimestamp();
    private long _retransmissions;

    /// <summary>The registration's token, or null when nobody observes.</summary>
    public byte[]? Token => Volatile.Read(ref _token);

    /// <summary>Retransmitted notifications since the session began.</summary>
    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>§3.1: a registration (a later one with another token replaces it).</summary>
    public void Register(byte[] token) => Volatile.Write(ref _token, token);

    /// <summary>§3.6: deregistration, a Reset, or the client is gone.</summary>
    public void Deregister() => Volatile.Write(ref _token, null);

    /// <summary>The next Observe value (§4.4: 24 bits, increasing).</summary>
    public uint NextSequence() => Interlocked.Increment(ref _sequence) & 0xFFFFFF;

    /// <summary>An ACK (or a Reset) arrived for <paramref name="messageId"/>; true when it answered the notification in flight.</summary>
    public bool Answer(ushort messageId, bool acknowledged)
    {
        lock (_lock)
        {
            if (_pending is null || _pendingId != messageId)
            {
                return false;
            }

            _pending.TrySetResult(acknowledged);
            return true;
        }
    }

    /// <summary>Sends one notification built by <paramref name="build"/> (type and message id given) and, if CON, waits for its acknowledgement.</summary>
    public async Task<NotificationOutcome> NotifyAsync(Func<CoapType, ushort, CoapMessage> build, CancellationToken cancellationToken)
    {
        var messageId = nextMessageId();
        if (!Confirmable())
        {
            send(build(CoapType.NonConfirmable, messageId));
            return NotificationOutcome.Sent;
        }

        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending = answer;
            _pendingId = messageId;
        }

        try
        {
            var message = build(CoapType.Confirmable, messageId);
            var timeout = options.AckTimeout * (1 + (Random.Shared.NextDouble() * (options.AckRandomFactor - 1)));
            for (var attempt = 0; ; attempt++)
            {
                send(message);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(timeout, time, wait.Token);
                if (await Task.WhenAny(answer.Task, delay) == answer.Task)
                {
                    await wait.CancelAsync();
                    Interlocked.Exchange(ref _lastConfirmable, time.GetTimestamp());
                    return await answer.Task ? NotificationOutcome.Acknowledged : NotificationOutcome.Rejected;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (attempt == options.MaxRetransmit)
                {
                    return NotificationOutcome.Unanswered;
                }

                Interlocked.Increment(ref _retransmissions);
                timeout *= 2;
            }
        }
        finally
        {
            lock (_lock)
            {
                _pending = null;
            }
        }
    }

    private bool Confirmable() =>
        options.ConfirmableNotifications
        || Interlocked.Increment(ref _count) % options.ConfirmableEvery == 0
        || time.GetElapsedTime(Interlocked.Read(ref _lastConfirmable)) >= MaxNonConfirmableSpell;
}
