using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rampart.Server.Adapters;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>A flood of DTLS ClientHellos and garbage at the CoAP port: answered statelessly, never amplified, never held.</summary>
public sealed class CoapFloodTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    [Fact]
    public async Task A_ClientHello_flood_gets_only_small_HelloVerifyRequests_and_leaves_no_state()
    {
        var listener = fixture.Node.Get<CoapHost>().Listener!;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        udp.Connect(listener.BoundEndPoint!);
        var hello = ClientHello();
        const int Flood = 300;
        var answers = new List<int>();
        for (var i = 0; i < Flood; i++)
        {
            // Paced in batches, so the kernel's socket buffers (not the node) do not decide what is lost.
            await udp.SendAsync(hello);
            await udp.SendAsync(new byte[] { 0x17, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 4, 1, 2, 3, 4 }); // application data for a session that does not exist
            if (i % 10 == 9)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    while (answers.Count <= i)
                    {
                        answers.Add((await udp.ReceiveAsync(quiet.Token)).Buffer.Length);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        // RFC 6347 §4.2.1: each answer is a HelloVerifyRequest (content type 22, handshake type 3), smaller than what asked for it.
        Assert.True(answers.Count >= Flood * 9 / 10, $"{answers.Count} answers to {Flood} ClientHellos");
        Assert.All(answers, length => Assert.True(length <= hello.Length, $"an answer of {length} bytes to a {hello.Length}-byte ClientHello"));
        await Eventually.HoldsAsync(() => Task.FromResult(listener.CookiesSent >= answers.Count && listener.Ignored >= Flood), "the listener counted the flood");
        Assert.Equal((0, 0), (listener.Peers, listener.Handshakes.Open));
    }

    // A minimal DTLS 1.2 ClientHello without a cookie (RFC 6347 §4.2.2, §4.3.2; RFC 5246 §7.4.1.2), offering TLS_PSK_WITH_AES_128_CCM_8.
    private static byte[] ClientHello()
    {
        var body = new List<byte> { 0xFE, 0xFD };
        body.AddRange(new byte[32]);
        body.AddRange(new byte[] { 0, 0, 0, 2, 0xC0, 0xA8, 1, 0 });
        var handshake = new List<byte> { 1 };
        handshake.AddRange(Length24(body.Count));
        handshake.AddRange(new byte[] { 0, 0, 0, 0, 0 });
        handshake.AddRange(Length24(body.Count));
        handshake.AddRange(body);
        var record = new List<byte> { 22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0 };
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)handshake.Count);
        record.AddRange(length);
        record.AddRange(handshake);
        return [.. record];
    }

    private static byte[] Length24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
