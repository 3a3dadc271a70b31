using System.Buffers;
using System.Numerics;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// The broker's recycled messages (<see cref="MqttMessage"/>), each with the payload buffer it last
/// carried: a routed PUBLISH takes one and it comes back when its last holder lets go. Bounded in
/// count and in the bytes of the buffers kept; past either bound a returned message is left to the
/// garbage collector. Payloads above <see cref="KeptBufferBytes"/> use <see cref="ArrayPool{T}.Shared"/>
/// and are not kept with the message.
/// </summary>
internal sealed class MessagePool(int capacity, long maximumBufferBytes)
{
    /// <summary>Largest buffer a pooled message keeps while it waits in the pool.</summary>
    public const int KeptBufferBytes = 4096;

    private readonly Lock _lock = new();
    private readonly Stack<MqttMessage> _free = new();
    private long _bufferBytes;

    /// <summary>A recycled message, or null when none waits.</summary>
    public MqttMessage? Take()
    {
        lock (_lock)
        {
            if (_free.TryPop(out var message))
            {
                _bufferBytes -= message.BufferLength;
                return message;
            }

            return null;
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes in place of <paramref name="old"/> (too small).</summary>
    public byte[] Buffer(byte[]? old, int length)
    {
        if (old is { Length: > KeptBufferBytes })
        {
            ArrayPool<byte>.Shared.Return(old);
        }

        // Rounded up to a power of two from 64 bytes, so a message settles on one size for a device's telemetry.
        return length > KeptBufferBytes ? ArrayPool<byte>.Shared.Rent(length) : new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)length))];
    }

    /// <summary>Takes back a message no one holds (its buffer, if any, at most <see cref="KeptBufferBytes"/>).</summary>
    public void Return(MqttMessage message)
    {
        lock (_lock)
        {
            var bytes = message.BufferLength;
            if (_free.Count < capacity && _bufferBytes + bytes <= maximumBufferBytes)
            {
                _bufferBytes += bytes;
                _free.Push(message);
            }
        }
    }
}
