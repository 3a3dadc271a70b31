using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Rampart.Server.Cluster.LoadBalancer;

/// <summary>What reading a PROXY protocol header found so far.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>A whole, valid header was read.</summary>
    Complete,

    /// <summary>Not a valid version 2 header; the connection must be closed.</summary>
    Invalid,
}

/// <summary>
/// The binary PROXY protocol, version 2 (HAProxy's "The PROXY protocol", §2.2), that a load balancer
/// in TCP mode sends before the client's bytes, so a node behind it learns the client's real
/// address. Only what Rampart needs is kept: the source address and port of a PROXY command over
/// TCP/IPv4 or IPv6. A LOCAL command (the balancer's own health check) or an UNSPEC family keeps
/// the connection's own endpoints (§2.2: "the receiver must accept this connection as valid and
/// must use the real connection endpoints").
/// </summary>
public static class ProxyProtocolHeader
{
    /// <summary>The 12-byte signature (§2.2) that starts every version 2 header.</summary>
    public static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>The fixed part: signature, version/command, family/protocol, length.</summary>
    public const int FixedLength = 16;

    /// <summary>
    /// Largest header accepted: the UNIX family's 216 address bytes plus room for the TLVs HAProxy
    /// may add (§2.2.1–2.2.8: ALPN, authority, CRC, unique id, SSL). A longer one is refused, so a
    /// connection cannot make the node buffer up to the 64 KiB the length field allows.
    /// </summary>
    public const int MaximumLength = 1024;

    /// <summary>
    /// Reads a header from the start of <paramref name="buffer"/>. On <see cref="ProxyHeaderStatus.Complete"/>
    /// <paramref name="consumed"/> is the first byte after it and <paramref name="source"/> the client's
    /// endpoint (null for LOCAL or an unspecified family); on <see cref="ProxyHeaderStatus.Invalid"/>
    /// <paramref name="error"/> says why.
    /// </summary>
    public static ProxyHeaderStatus TryRead(in ReadOnlySequence<byte> buffer, out IPEndPoint? source, out SequencePosition consumed, out string? error)
    {
        source = null;
        consumed = buffer.Start;
        error = null;
        Span<byte> head = stackalloc byte[FixedLength];
        var available = (int)Math.Min(buffer.Length, FixedLength);
        buffer.Slice(0, available).CopyTo(head);

        // The signature is checked as bytes arrive, so a client that is not a proxy is refused at once.
        if (!head[..Math.Min(available, Signature.Length)].SequenceEqual(Signature[..Math.Min(available, Signature.Length)]))
        {
            error = "the connection did not start with a PROXY protocol v2 signature";
            return ProxyHeaderStatus.Invalid;
        }

        if (available < FixedLength)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        // §2.2: the highest four bits of the 13th byte are the version (2), the lowest the command.
        var version = head[12] >> 4;
        var command = head[12] & 0x0F;
        if (version != 2 || command > 1)
        {
            error = $"unsupported PROXY protocol version {version} or command {command}";
            return ProxyHeaderStatus.Invalid;
        }

        var family = head[13] >> 4;
        var transport = head[13] & 0x0F;
        var length = BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (FixedLength + length > MaximumLength)
        {
            error = $"a PROXY protocol header of {FixedLength + length} bytes is above the limit of {MaximumLength}";
            return ProxyHeaderStatus.Invalid;
        }

        if (buffer.Length < FixedLength + length)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        var addresses = buffer.Slice(FixedLength, length);
        consumed = buffer.GetPosition(FixedLength + length);

        // LOCAL (0): the proxy speaks for itself; UNSPEC family or protocol: nothing to learn (§2.2).
        if (command == 0 || family == 0 || transport == 0)
        {
            return ProxyHeaderStatus.Complete;
        }

        // §2.2: AF_INET needs 12 bytes (two addresses, two ports), AF_INET6 36; both over STREAM only here.
        var addressLength = family switch { 1 => 4, 2 => 16, _ => 0 };
        if (addressLength == 0 || transport != 1)
        {
            error = $"PROXY protocol family {family} over protocol {transport} is not TCP over IPv4 or IPv6";
            return ProxyHeaderStatus.Invalid;
        }

        if (length < (addressLength * 2) + 4)
        {
            error = $"a PROXY protocol address block of {length} bytes is too short for its family";
            return ProxyHeaderStatus.Invalid;
        }

        Span<byte> block = stackalloc byte[(addressLength * 2) + 4];
        addresses.Slice(0, block.Length).CopyTo(block);
        var address = new IPAddress(block[..addressLength]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(block[(addressLength * 2)..]);
        source = new IPEndPoint(address, port);
        return ProxyHeaderStatus.Complete;
    }
}
