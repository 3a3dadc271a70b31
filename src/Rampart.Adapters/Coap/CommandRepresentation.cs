using System.Buffers.Binary;
using System.Text.Json;
using Rampart.Adapters.Links;

namespace Rampart.Adapters.Coap;

/// <summary>
/// A command as CoAP delivers it (<c>{"name": …, "payload": base64}</c>, Content-Format 50), and its
/// Block2 slices (RFC 7959 §2.4) when it does not fit one block: the first block goes in the response
/// or notification with Block2 M=1, Size2 and an ETag; the client asks for the rest with GET /c and
/// Block2 NUM=1, 2, … (§3.4), answered from this representation while it is the session's latest.
/// </summary>
internal sealed class CommandRepresentation
{
    private static long _next;

    private CommandRepresentation(byte[] body)
    {
        Body = body;
        ETag = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(ETag, Interlocked.Increment(ref _next));
    }

    public byte[] Body { get; }

    /// <summary>§5.10.6: identifies this representation, so a client never joins blocks of two commands.</summary>
    public byte[] ETag { get; }

    public static CommandRepresentation Of(DeviceCommand command) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new CommandNotification(command.Name, Convert.ToBase64String(command.Payload.Span)), JsonSerializerOptions.Web));

    /// <summary>Block <paramref name="number"/> of size 2^(<paramref name="exponent"/>+4), with its options; null when it lies past the end.</summary>
    public (ReadOnlyMemory<byte> Payload, List<CoapOption> Options)? Block(uint number, int exponent)
    {
        var block = new CoapBlock(number, false, exponent);
        if (block.Offset >= Body.Length && !(number == 0 && Body.Length == 0))
        {
            return null;
        }

        var length = (int)Math.Min(block.Size, Body.Length - block.Offset);
        var more = block.Offset + length < Body.Length;
        List<CoapOption> options = [CoapCodec.UInt(CoapOptions.ContentFormat, 50)];
        if (more || number > 0)
        {
            options.Add((block with { More = more }).Option(CoapOptions.Block2));
            options.Add(new CoapOption(CoapOptions.ETag, ETag));
            options.Add(CoapCodec.UInt(CoapOptions.Size2, (uint)Body.Length));
        }

        return (Body.AsMemory((int)block.Offset, length), options);
    }

    private sealed record CommandNotification(string Name, string Payload);
}
