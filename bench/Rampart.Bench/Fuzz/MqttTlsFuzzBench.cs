using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Attack.Probes;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench.Fuzz;

/// <summary>
/// <c>mqtt-fuzz-tls [--packets 200000] [--devices 16] [--workers 4] [--seed N]</c>: mutated packets
/// over real mutual-TLS connections into a node's gateway (identity, permissions, limits, event tap
/// and broker all on), half hostile-but-well-formed, half byte-mutated. Each mutant is followed by a
/// PINGREQ, so it is counted only once the live session answered it or ended. Reports sessions,
/// reconnects, what the node logged at error level, and its memory.
/// </summary>
internal static class MqttTlsFuzzBench
{
    public static async Task RunAsync(string[] args)
    {
        var options = new BenchArguments(args);
        var packets = options.Int("packets", 200_000);
        var devices = options.Int("devices", 16);
        var workers = options.Int("workers", 4);
        var seed = options.Int("seed", 20261201);
        var data = BenchNode.NewDataDirectory("fuzz-tls");
        // The node logs to the console: the campaign reads it (and prints its own lines to the real one).
        var stdout = Console.Out;
        var log = new LogScanner();
        Console.SetOut(log);
        await using var node = await BenchNode.StartAsync(data, new Dictionary<string, string?>
        {
            // Limits out of the way: the campaign is about what the codec and broker do with input, not rates.
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "1000000",
            ["Rampart:Gateway:DeviceMessageBurst"] = "1000000",
            ["Rampart:Gateway:DenialsBeforeDisconnect"] = "1000000",
            ["Rampart:Gateway:MaxUnauthenticatedPerSource"] = "10000",
            ["Rampart:Gateway:DeviceConnectsPerMinute"] = "1000000",
            ["Rampart:Gateway:DeviceConnectBurst"] = "1000000",
        });
        var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
        var inventory = node.Services.GetRequiredService<InventoryService>();
        var est = new EstClient(node.HttpsUri, root);
        var identities = new List<(string Id, X509Certificate2 Certificate)>();
        for (var i = 0; i < devices; i++)
        {
            var id = $"fuzz-{i:D3}";
            var (_, token) = await inventory.AddAsync(new NewDevice(id), "bench", CancellationToken.None);
            identities.Add((id, await est.EnrollAsync(id, token.Token, CancellationToken.None)));
        }

        var before = Process.GetCurrentProcess().WorkingSet64;
        long sent = 0, sessions = 0, ended = 0, stalls = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var bytes = new Mutator(seed + worker);
            var fields = new FieldMutator(seed + worker);
            var mine = 0;
            var turn = 0;
            while (Interlocked.Read(ref sent) < packets)
            {
                var (id, certificate) = identities[(worker + workers * turn++) % identities.Count];
                var version = turn % 3 == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500;
                var seeds = MqttCorpus.SessionPackets(version, id);
                await using var client = await MqttProbeClient.ConnectTlsAsync(node.MqttEndPoint, certificate, root, version);
                if ((await client.ConnectAsync(id)).ReasonCode != MqttReasonCode.Success)
                {
                    continue;
                }

                Interlocked.Increment(ref sessions);
                while (Interlocked.Read(ref sent) < packets)
                {
                    mine++;
                    Outcome outcome;
                    try
                    {
                        if (mine % 2 == 0)
                        {
                            await client.SendAsync(fields.Next(id));
                        }
                        else
                        {
                            await client.SendRawAsync(bytes.Mutate(seeds[bytes.Next(seeds.Count)], seeds[bytes.Next(seeds.Count)], framed: true));
                        }

                        Interlocked.Increment(ref sent);
                        await client.SendAsync(PingReqPacket.Instance);
                        outcome = await UntilPongAsync(client);
                    }
                    catch (IOException)
                    {
                        outcome = Outcome.Ended; // the node closed while the mutant was being written
                    }

                    if (outcome == Outcome.Ended)
                    {
                        Interlocked.Increment(ref ended);
                        break;
                    }

                    if (outcome == Outcome.Stalled)
                    {
                        Interlocked.Increment(ref stalls);
                        break;
                    }
                }
            }
        }))).ConfigureAwait(false);

        var after = Process.GetCurrentProcess().WorkingSet64;
        var healthy = await CleanSessionAsync(node.MqttEndPoint, identities[0], root);
        stdout.WriteLine($"mqtt-fuzz-tls: {sent:N0} mutants over {sessions:N0} mTLS sessions in {watch.Elapsed.TotalSeconds:0} s ({sent / watch.Elapsed.TotalSeconds:N0}/s): " +
            $"{ended:N0} sessions ended by the node, {stalls} stalls; node log: {log.Errors} error/critical lines, {log.Exceptions} with a stack trace; " +
            $"RSS {before >> 20} MiB before, {after >> 20} MiB after; a clean session afterwards: {(healthy ? "served" : "NOT SERVED")}");
        foreach (var line in log.First)
        {
            stdout.WriteLine("  node: " + line);
        }
    }

    private enum Outcome
    {
        Answered,
        Ended,
        Stalled,
    }

    private static async Task<Outcome> UntilPongAsync(MqttProbeClient client)
    {
        while (true)
        {
            MqttPacket? packet;
            try
            {
                packet = await client.ReceiveAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                return Outcome.Stalled;
            }

            switch (packet)
            {
                case null or DisconnectPacket:
                    return Outcome.Ended;
                case PingRespPacket:
                    return Outcome.Answered;
                case PublishPacket { QoS: MqttQualityOfService.AtLeastOnce } delivery:
                    await client.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, delivery.PacketId));
                    break;
            }
        }
    }

    private static async Task<bool> CleanSessionAsync(System.Net.IPEndPoint endPoint, (string Id, X509Certificate2 Certificate) device, X509Certificate2 root)
    {
        await using var client = await MqttProbeClient.ConnectTlsAsync(endPoint, device.Certificate, root);
        var connack = await client.ConnectAsync(device.Id);
        await client.SendAsync(new PublishPacket { Topic = $"devices/{device.Id}/telemetry/ok", QoS = MqttQualityOfService.AtLeastOnce, PacketId = 1, Payload = new byte[8] });
        return connack.ReasonCode == MqttReasonCode.Success && await client.ExpectAsync<PublishResponsePacket>() is { ReasonCode: MqttReasonCode.Success };
    }
}
