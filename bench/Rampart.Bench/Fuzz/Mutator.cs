namespace Rampart.Bench.Fuzz;

/// <summary>
/// Byte-level mutations in the style of AFL's havoc stage: bit flips, interesting values, inserts,
/// deletions, truncation, chunk duplication, splicing of two seeds, and remaining-length tampering
/// (the length is what a broker trusts first). Seeded, so a crash can be replayed.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x3F, 0x40, 0xC0, 0x10, 0x20];

    private readonly Random _random = new(seed);

    /// <summary>One mutant of <paramref name="seed"/> (sometimes spliced with <paramref name="other"/>).</summary>
    /// <param name="framed">Keep the remaining length consistent with the body, so the mutant is one whole packet.</param>
    public byte[] Mutate(byte[] seed, byte[] other, bool framed = false)
    {
        var bytes = new List<byte>(seed);
        var rounds = 1 + _random.Next(4);
        for (var round = 0; round < rounds; round++)
        {
            switch (_random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[_random.Next(bytes.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[_random.Next(bytes.Count)] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.Insert(_random.Next(bytes.Count + 1), (byte)_random.Next(256));
                    break;
                case 3 when bytes.Count > 1:
                    bytes.RemoveRange(_random.Next(bytes.Count), 1);
                    break;
                case 4 when bytes.Count > 1:
                    var at = _random.Next(1, bytes.Count);
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 5 when bytes.Count > 2:
                    var start = _random.Next(bytes.Count - 1);
                    var length = Math.Min(1 + _random.Next(16), bytes.Count - start);
                    bytes.InsertRange(_random.Next(bytes.Count), bytes.GetRange(start, length));
                    break;
                case 6 when other.Length > 2:
                    var cut = _random.Next(1, Math.Max(2, bytes.Count));
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    bytes.AddRange(other.AsSpan(_random.Next(1, other.Length)).ToArray());
                    break;
                case 7 when bytes.Count > 1:
                    // The first remaining-length byte (§2.1.4): too small, too large, or a continuation bit set.
                    bytes[1] = _random.Next(3) switch { 0 => (byte)_random.Next(bytes[1] + 1), 1 => (byte)Math.Min(255, bytes[1] + 1 + _random.Next(64)), _ => (byte)(bytes[1] | 0x80) };
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        // The first byte: packet type and flags (§2.1.2, §2.1.3).
                        bytes[0] = (byte)((bytes[0] & 0xF0) | _random.Next(16));
                    }

                    break;
            }
        }

        return framed || _random.Next(5) != 0 ? Reframe(bytes) : [.. bytes];
    }

    // Most mutants keep a remaining length that matches their body (§2.1.4), so they are decoded as a
    // whole packet of their type and reach the field decoders; the rest test framing itself.
    private static byte[] Reframe(List<byte> bytes)
    {
        if (bytes.Count < 2)
        {
            return bytes.Count == 1 ? [bytes[0], 0x00] : [0x00, 0x00]; // a fixed header alone, length 0
        }

        var lengthBytes = 1;
        while (lengthBytes < 4 && lengthBytes < bytes.Count - 1 && (bytes[lengthBytes] & 0x80) != 0)
        {
            lengthBytes++;
        }

        var body = bytes.Count - 1 - lengthBytes;
        var framed = new List<byte>(bytes.Count + 3) { bytes[0] };
        var remaining = body;
        do
        {
            var digit = (byte)(remaining % 128);
            remaining /= 128;
            framed.Add(remaining > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remaining > 0);
        framed.AddRange(bytes.GetRange(1 + lengthBytes, body));
        return [.. framed];
    }

    /// <summary>A number below <paramref name="bound"/>.</summary>
    public int Next(int bound) => _random.Next(bound);
}
