using System.Security.Cryptography;

namespace Rampart.Pki.Authority;

/// <summary>Certificate serial numbers: 128 random bits, positive (RFC 5280 §4.1.2.2: at most 20 octets, positive).</summary>
public static class SerialNumbers
{
    /// <summary>A fresh serial; the top bit is cleared so the DER INTEGER stays positive without a pad byte.</summary>
    public static byte[] New()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01 << 6; // never a leading zero octet, so the encoding is always 16 bytes
        return serial;
    }
}
