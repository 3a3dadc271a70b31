using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Rampart.Attack.Probes;

/// <summary>What a TLS server answered to a ClientHello.</summary>
/// <param name="ServerHello">True when it chose parameters (a ServerHello came back).</param>
/// <param name="Version">The version in the ServerHello (0x0303 for 1.2; 1.3 is also 0x0303 on the wire, RFC 8446 §4.1.3).</param>
/// <param name="CipherSuite">The suite it chose.</param>
/// <param name="Alert">The alert description it sent instead (RFC 8446 §6), or null.</param>
public sealed record TlsHelloAnswer(bool ServerHello, ushort Version, ushort CipherSuite, byte? Alert)
{
    public override string ToString() => ServerHello
        ? $"ServerHello version 0x{Version:x4} suite 0x{CipherSuite:x4}"
        : Alert is { } alert ? $"alert {alert} ({AlertName(alert)})" : "connection closed without an answer";

    private static string AlertName(byte alert) => alert switch
    {
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        109 => "missing_extension",
        _ => "other",
    };
}

/// <summary>
/// Sends one hand-built ClientHello and reads what comes back, so a downgrade or a weak suite can be
/// offered exactly as an attacker would — a platform TLS client refuses to offer them at all.
/// Record and handshake framing per RFC 5246 §6.2 and §7.4.1.2.
/// </summary>
public static class TlsHelloProbe
{
    /// <summary>Offers <paramref name="version"/> with only <paramref name="suites"/>; returns the server's answer.</summary>
    public static async Task<TlsHelloAnswer> OfferAsync(IPEndPoint endPoint, string serverName, ushort version, IReadOnlyList<ushort> suites, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, cancellationToken);
        await socket.SendAsync(ClientHello(serverName, version, suites), SocketFlags.None, cancellationToken);
        var header = new byte[5];
        if (!await ReadExactlyAsync(socket, header, cancellationToken))
        {
            return new TlsHelloAnswer(false, 0, 0, null);
        }

        var body = new byte[Math.Min((int)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(3)), 16 * 1024)];
        if (!await ReadExactlyAsync(socket, body, cancellationToken))
        {
            return new TlsHelloAnswer(false, 0, 0, null);
        }

        return header[0] switch
        {
            // Alert record: level, description.
            21 when body.Length >= 2 => new TlsHelloAnswer(false, 0, 0, body[1]),
            // Handshake record starting with ServerHello (type 2): legacy_version, random[32], session id, suite.
            22 when body.Length >= 39 && body[0] == 2 => new TlsHelloAnswer(true,
                BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(4)),
                BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(39 + body[38])), null),
            _ => new TlsHelloAnswer(false, 0, 0, null),
        };
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false; // a reset is a refusal too
            }

            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static byte[] ClientHello(string serverName, ushort version, IReadOnlyList<ushort> suites)
    {
        var extensions = new List<byte>();
        // server_name (RFC 6066 §3)
        var name = System.Text.Encoding.ASCII.GetBytes(serverName);
        Extension(extensions, 0, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);
        // supported_groups (RFC 8422 §5.1.1): x25519, secp256r1, secp384r1
        Extension(extensions, 10, [.. U16(6), 0, 29, 0, 23, 0, 24]);
        // ec_point_formats: uncompressed
        Extension(extensions, 11, [1, 0]);
        // signature_algorithms (RFC 5246 §7.4.1.4.1): ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_sha1, rsa_sha1
        Extension(extensions, 13, [.. U16(10), 4, 3, 8, 4, 4, 1, 2, 3, 2, 1]);

        var hello = new List<byte> { 1, 0, 0, 0 }; // type client_hello, length filled below
        hello.AddRange(U16(version));
        hello.AddRange(RandomNumberGenerator.GetBytes(32));
        hello.Add(0); // no session id
        hello.AddRange(U16(suites.Count * 2));
        foreach (var suite in suites)
        {
            hello.AddRange(U16(suite));
        }

        hello.AddRange([1, 0]); // compression: null only
        hello.AddRange(U16(extensions.Count));
        hello.AddRange(extensions);
        var length = hello.Count - 4;
        hello[1] = (byte)(length >> 16);
        hello[2] = (byte)(length >> 8);
        hello[3] = (byte)length;

        // The record layer says TLS 1.0 for the first flight, as real clients do (RFC 5246 Appendix E.1).
        return [22, 3, 1, .. U16(hello.Count), .. hello];
    }

    private static void Extension(List<byte> into, ushort type, byte[] data)
    {
        into.AddRange(U16(type));
        into.AddRange(U16(data.Length));
        into.AddRange(data);
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
}
