using System.Net;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Credentials;
using Rampart.Fleet.Inventory;
using Rampart.Server.Adapters;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// RFC 6347 §4.1.2.6 against the node's CoAP listener over UDP: records the client encrypted are
/// replayed, reordered and held back past the 64-record window. A record that gets through reaches
/// CoAP, which answers it (a replayed CON would get its remembered ACK), so "dropped" is seen as no
/// answer ahead of the next fresh request's answer (the node handles one peer's datagrams in order).
/// </summary>
public sealed class DtlsReplayWindowTests(AdapterNode fixture) : IClassFixture<AdapterNode>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ushort _messageId = 1000;

    private async Task<DtlsTestClient> ConnectAsync(string deviceId)
    {
        await fixture.Node.Get<InventoryService>().AddAsync(new NewDevice(deviceId), "test", CancellationToken.None);
        var psk = (await fixture.Node.Get<DeviceCredentials>().IssuePskAsync(deviceId, "test", CancellationToken.None)).Secret;
        return await DtlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, fixture.Node.Get<CoapHost>().Listener!.BoundEndPoint!.Port), deviceId, psk);
    }

    // A CON GET of a resource that does not exist: answered 4.04 without touching the broker or any rate limit.
    private CoapMessage Probe(byte tag) =>
        new(CoapType.Confirmable, CoapCodes.Get, _messageId++, new byte[] { 0x5A, tag }, [new CoapOption(CoapOptions.UriPath, "probe"u8.ToArray())], ReadOnlyMemory<byte>.Empty);

    [Fact]
    public async Task A_replayed_record_is_dropped_before_CoAP_sees_it()
    {
        using var client = await ConnectAsync("dtls-replay-1");
        var first = Probe(1);
        client.Send(first);
        var record = client.LastSent;
        Assert.Equal(CoapCodes.NotFound, client.ReceiveUntil(first.Token.ToArray(), Patience).Answer.Code);

        client.SendRecord(record);
        var fresh = Probe(2);
        client.Send(fresh);
        var (answer, before) = client.ReceiveUntil(fresh.Token.ToArray(), Patience);

        Assert.Equal(CoapCodes.NotFound, answer.Code);
        Assert.DoesNotContain(before, m => m.Token.Span.SequenceEqual(first.Token.Span));
    }

    [Fact]
    public async Task A_new_record_within_the_window_is_accepted_though_it_arrives_after_a_later_one()
    {
        using var client = await ConnectAsync("dtls-replay-2");
        var earlier = Probe(3);
        var later = Probe(4);
        byte[] earlierRecord, laterRecord;
        using (client.Hold())
        {
            earlierRecord = client.Send(earlier);
            laterRecord = client.Send(later);
        }

        client.SendRecord(laterRecord);
        Assert.Equal(CoapCodes.NotFound, client.ReceiveUntil(later.Token.ToArray(), Patience).Answer.Code);
        client.SendRecord(earlierRecord);
        Assert.Equal(CoapCodes.NotFound, client.ReceiveUntil(earlier.Token.ToArray(), Patience).Answer.Code);
    }

    [Fact]
    public async Task A_record_left_of_the_64_record_window_is_dropped()
    {
        using var client = await ConnectAsync("dtls-replay-3");
        var stale = Probe(5);
        byte[] staleRecord;
        using (client.Hold())
        {
            staleRecord = client.Send(stale);
        }

        // 70 newer records move the window's right edge past the held one by more than 64.
        for (var i = 0; i < 70; i++)
        {
            var newer = Probe((byte)(100 + i));
            client.Send(newer);
            client.ReceiveUntil(newer.Token.ToArray(), Patience);
        }

        client.SendRecord(staleRecord);
        var fresh = Probe(6);
        client.Send(fresh);
        var (answer, before) = client.ReceiveUntil(fresh.Token.ToArray(), Patience);

        Assert.Equal(CoapCodes.NotFound, answer.Code);
        Assert.DoesNotContain(before, m => m.Token.Span.SequenceEqual(stale.Token.Span));
    }
}
