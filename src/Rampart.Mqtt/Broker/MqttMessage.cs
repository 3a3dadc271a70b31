using System.Buffers;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// An application message as the broker routes it: created once per accepted PUBLISH (or will) and
/// shared by every subscriber it goes to. <see cref="Properties"/> holds only what is forwarded
/// (5.0 §3.3.2.3: not the topic alias, not subscription identifiers).
/// </summary>
/// <remarks>
/// A message routed from a client's PUBLISH is pooled (issue 12: nothing allocated per routed
/// message): it and its payload buffer are taken from the broker's <see cref="MessagePool"/> and go
/// back when the last of the broker's own holders (the routing call, each outbound queue entry, each
/// session's in-flight entry) lets go. Whatever else keeps a message beyond the call that handed it
/// over — observers, the fabric, the retained store, a persisted session — calls <see cref="Pin"/>
/// first, while the call runs: a pinned message is never recycled and stays valid for as long as it
/// is referenced. A message made with the constructor is never pooled.
/// </remarks>
public sealed class MqttMessage
{
    private readonly MessagePool? _pool;
    private byte[]? _buffer;
    private int _leases;
    private volatile bool _pinned;

    public MqttMessage(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool retain, MqttProperties properties, string senderClientId, DateTimeOffset? expiresAt, string? publisher)
    {
        Topic = topic;
        Payload = payload;
        QoS = qos;
        Retain = retain;
        Properties = properties;
        SenderClientId = senderClientId;
        ExpiresAt = expiresAt;
        Publisher = publisher;
    }

    private MqttMessage(MessagePool pool)
    {
        _pool = pool;
        Topic = SenderClientId = string.Empty;
        Properties = MqttProperties.Empty;
    }

    public string Topic { get; private set; }

    public ReadOnlyMemory<byte> Payload { get; private set; }

    public MqttQualityOfService QoS { get; private set; }

    public bool Retain { get; private set; }

    public MqttProperties Properties { get; private set; }

    /// <summary>The client that published it (for no-local, §3.8.3.1).</summary>
    public string SenderClientId { get; private set; }

    /// <summary>
    /// The authenticated principal that published it, as the host's policy names it
    /// (<see cref="IMqttClientPolicy.Principal"/>); null for the server's own messages. Consumers that
    /// act on a report attribute it to this, never to an id in the topic.
    /// </summary>
    public string? Publisher { get; private set; }

    /// <summary>When it expires (5.0 §3.3.2.3.3 Message Expiry Interval), if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>
    /// When it became its topic's retained message, stamped once by the node that took its PUBLISH and
    /// carried to every other node (<see cref="RetainedMessages"/>): the version by which every node
    /// keeps the same last value of a topic that two nodes set at the same moment. Null until stamped.
    /// </summary>
    public DateTimeOffset? RetainedAt { get; private set; }

    /// <summary>Stamps <see cref="RetainedAt"/>, before the message is shared (the routing call, or the fabric decoding a copy). Returns the message.</summary>
    public MqttMessage StampRetainedAt(DateTimeOffset at)
    {
        RetainedAt = at;
        return this;
    }

    /// <summary>True when it has expired by <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    /// <summary>
    /// Keeps this message (and its payload) valid for as long as it is referenced: it is never
    /// recycled. Call it before keeping a message beyond the call that handed it over. Returns the message.
    /// </summary>
    public MqttMessage Pin()
    {
        _pinned = true;
        return this;
    }

    /// <summary>The same message with another payload (a delivery filter's transform, <see cref="IDeliveryFilter"/>).</summary>
    public MqttMessage WithPayload(ReadOnlyMemory<byte> payload) => new(Topic, payload, QoS, Retain, Properties, SenderClientId, ExpiresAt, Publisher);

    /// <summary>The same message without its retain flag and with another QoS (retained copies and downgrades).</summary>
    public MqttMessage With(MqttQualityOfService qos, bool retain) =>
        qos == QoS && retain == Retain ? this : new MqttMessage(Topic, Pin().Payload, qos, retain, Properties, SenderClientId, ExpiresAt, Publisher);

    /// <summary>Bytes of the payload buffer a pooled message keeps.</summary>
    internal int BufferLength => _buffer?.Length ?? 0;

    /// <summary>A pooled message holding a copy of <paramref name="payload"/>, with one lease (the caller's).</summary>
    internal static MqttMessage Rent(
        MessagePool pool, string topic, in ReadOnlySequence<byte> payload, MqttQualityOfService qos, bool retain, MqttProperties properties,
        string senderClientId, DateTimeOffset? expiresAt, string? publisher)
    {
        var message = pool.Take() ?? new MqttMessage(pool);
        var length = (int)payload.Length;
        if (message._buffer is null || message._buffer.Length < length)
        {
            message._buffer = pool.Buffer(message._buffer, length);
        }

        payload.CopyTo(message._buffer);
        message.Payload = message._buffer.AsMemory(0, length);
        message.Topic = topic;
        message.QoS = qos;
        message.Retain = retain;
        message.Properties = properties;
        message.SenderClientId = senderClientId;
        message.ExpiresAt = expiresAt;
        message.Publisher = publisher;
        message.RetainedAt = null;
        message._leases = 1;
        message._pinned = false;
        return message;
    }

    /// <summary>One more of the broker's holders keeps it (an outbound queue entry, a session's in-flight entry).</summary>
    internal void AddLease()
    {
        if (_pool is not null)
        {
            Interlocked.Increment(ref _leases);
        }
    }

    /// <summary>A holder lets go; the last one returns an unpinned pooled message to its pool. Each lease is released at most once.</summary>
    internal void ReleaseLease()
    {
        if (_pool is { } pool && Interlocked.Decrement(ref _leases) == 0 && !_pinned)
        {
            Topic = SenderClientId = string.Empty;
            Publisher = null;
            Properties = MqttProperties.Empty;
            Payload = default;
            if (_buffer is { Length: > MessagePool.KeptBufferBytes } large)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(large);
            }

            pool.Return(this);
        }
    }
}
