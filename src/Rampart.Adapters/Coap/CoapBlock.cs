namespace Rampart.Adapters.Coap;

/// <summary>
/// A Block1/Block2 option value (RFC 7959 §2.2): block number NUM (up to 20 bits), the More flag M,
/// and the size exponent SZX (block size 2^(SZX+4), 16 to 1024 bytes; SZX 7 is reserved).
/// </summary>
public readonly record struct CoapBlock(uint Number, bool More, int SizeExponent)
{
    /// <summary>Largest NUM the 3-byte option can carry (§2.2).</summary>
    public const uint MaxNumber = (1u << 20) - 1;

    /// <summary>Bytes per block.</summary>
    public int Size => 1 << (SizeExponent + 4);

    /// <summary>Where this block starts in the whole body.</summary>
    public long Offset => (long)Number * Size;

    /// <summary>The option's uint value (§2.2: NUM &lt;&lt; 4 | M &lt;&lt; 3 | SZX).</summary>
    public uint Value => (Number << 4) | (More ? 8u : 0u) | (uint)SizeExponent;

    /// <summary>Reads option <paramref name="number"/> of <paramref name="message"/>; null when absent, false when malformed (SZX 7, over 3 bytes).</summary>
    public static bool TryRead(CoapMessage message, ushort number, out CoapBlock? block)
    {
        block = null;
        foreach (var option in message.Options)
        {
            if (option.Number != number)
            {
                continue;
            }

            if (option.Value.Length > 3)
            {
                return false;
            }

            var value = message.UInt(number)!.Value;
            if ((value & 7) == 7)
            {
                return false;
            }

            block = new CoapBlock(value >> 4, (value & 8) != 0, (int)(value & 7));
            return true;
        }

        return true;
    }

    /// <summary>The size exponent of <paramref name="size"/> bytes (a power of two from 16 to 1024).</summary>
    public static int ExponentOf(int size) => System.Numerics.BitOperations.Log2((uint)size) - 4;

    public CoapOption Option(ushort number) => CoapCodec.UInt(number, Value);
}
