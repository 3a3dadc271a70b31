using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench.Fuzz;

/// <summary>
/// <c>mqtt-fuzz [--packets 10000000] [--broker-packets N (default: --packets)] [--seed N] [--sessions 4]</c>: mutated packets through the
/// codec (both protocol versions), then through the broker on live sessions over in-memory pipes.
/// Reports crashes (any exception escaping the codec or the broker), how sessions ended, memory,
/// and whether the broker still serves a clean client afterwards.
/// </summary>
internal static class MqttFuzzBench
{
    public static async Task RunAsync(string[] args)
    {
        var options = new BenchArguments(args);
        var packets = options.Int("packets", 10_000_000);
        var seed = options.Int("seed", 20261201);
        Codec(packets, seed);
        await BrokerAsync(options.Int("broker-packets", packets), seed, options.Int("sessions", 4));
    }

    private static void Codec(int packets, int seed)
    {
        var mutator = new Mutator(seed);
        var corpora = new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 }.Select(v => (Version: v, Seeds: MqttCorpus.All(v))).ToArray();
        long complete = 0, malformed = 0, partial = 0, crashes = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < packets; i++)
        {
            var (version, seeds) = corpora[i & 1];
            var mutant = mutator.Mutate(seeds[mutator.Next(seeds.Count)], seeds[mutator.Next(seeds.Count)]);
            var decoder = new MqttDecoder(1 << 20) { Version = version };
            try
            {
                var buffer = new ReadOnlySequence<byte>(mutant);
                while (true)
                {
                    var status = decoder.TryDecode(buffer, out _, out var consumed, out _);
                    if (status == MqttDecodeStatus.Complete)
                    {
                        complete++;
                        buffer = buffer.Slice(consumed);
                        continue;
                    }

                    (status == MqttDecodeStatus.Malformed ? ref malformed : ref partial)++;
                    break;
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                if (crashes++ < 5)
                {
                    Console.WriteLine($"mqtt-fuzz codec CRASH {exception.GetType().Name}: {exception.Message} on {Convert.ToHexString(mutant)} ({version})");
                }
            }
        }

        Console.WriteLine($"mqtt-fuzz codec: {packets:N0} mutants in {watch.Elapsed.TotalSeconds:0.0} s ({packets / watch.Elapsed.TotalSeconds:N0}/s): " +
            $"{complete:N0} packets decoded, {malformed:N0} refused as malformed, {partial:N0} incomplete, {crashes} crashes");
    }

    private static async Task BrokerAsync(int packets, int seed, int parallel)
    {
        using var broker = new MqttBroker(new BrokerOptions(), TimeProvider.System);
        var before = Process.GetCurrentProcess().WorkingSet64;
        var peak = before;
        long sent = 0, sessions = 0, endedByBroker = 0, crashes = 0;
        var watch = Stopwatch.StartNew();
        var perWorker = packets / parallel;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(worker => Task.Run(async () =>
        {
            var mutator = new Mutator(seed + worker);
            var version = worker % 2 == 0 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
            var id = $"fuzz-{worker}";
            var seeds = MqttCorpus.SessionPackets(version, id);
            var connect = MqttCorpus.Encode(MqttCorpus.Connect(version, id), version);
            var mine = 0L;
            while (mine < perWorker)
            {
                var (delivered, ended, crashed) = await SessionAsync(broker, version, connect, seeds, mutator, (int)Math.Min(64, perWorker - mine));
                mine += delivered;
                Interlocked.Add(ref sent, delivered);
                Interlocked.Increment(ref sessions);
                if (ended)
                {
                    Interlocked.Increment(ref endedByBroker);
                }

                if (crashed is not null && Interlocked.Increment(ref crashes) <= 5)
                {
                    Console.WriteLine($"mqtt-fuzz broker CRASH {crashed.GetType().Name}: {crashed.Message}");
                }

                if ((mine & 0xFFFF) < 64)
                {
                    peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
                }
            }
        }))).ConfigureAwait(false);

        var healthy = await CleanClientWorksAsync(broker);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var after = Process.GetCurrentProcess().WorkingSet64;
        Console.WriteLine($"mqtt-fuzz broker: {sent:N0} mutants over {sessions:N0} sessions in {watch.Elapsed.TotalSeconds:0.0} s ({sent / watch.Elapsed.TotalSeconds:N0}/s): " +
            $"{endedByBroker:N0} sessions ended by the broker (a refused mutant), {sessions - endedByBroker:N0} survived their budget, {crashes} crashes; RSS {before >> 20} MiB before, peak {peak >> 20} MiB, {after >> 20} MiB after (managed heap after a full collection {heap >> 20} MiB); " +
            $"a clean client afterwards: {(healthy ? "served" : "NOT SERVED")}; sessions left {broker.SessionCount}");
    }

    // One connection: a valid CONNECT, then mutants until the broker ends the session or the budget is spent.
    private static async Task<(int Sent, bool EndedByBroker, Exception? Crash)> SessionAsync(
        MqttBroker broker, MqttProtocolVersion version, byte[] connect, IReadOnlyList<byte[]> seeds, Mutator mutator, int budget)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var stop = new CancellationTokenSource();
        var run = broker.RunConnectionAsync(new BenchDuplex(toServer.Reader, toClient.Writer), "127.0.0.9:1", _ => ConnectDecision.Accept(AllowAllPolicy.Instance), stop.Token);
        var pongs = new SemaphoreSlim(0);
        var drain = DrainAsync(toClient.Reader, pongs, version);
        var sent = 0;
        var ended = false;
        await toServer.Writer.WriteAsync(connect);

        // Each whole mutant is followed by a PINGREQ (§3.12): its PINGRESP proves the live session
        // decoded and handled the mutant; the session's end proves the broker refused it.
        while (sent < budget && !ended)
        {
            var mutant = mutator.Mutate(seeds[mutator.Next(seeds.Count)], seeds[mutator.Next(seeds.Count)], framed: true);
            sent++;
            await toServer.Writer.WriteAsync(mutant);
            await toServer.Writer.WriteAsync(new byte[] { 0xC0, 0x00 });
            var pong = pongs.WaitAsync(TimeSpan.FromSeconds(30));
            ended = await Task.WhenAny(run, pong) == run || !await pong;
            if (ended && !run.IsCompleted)
            {
                // Neither a PINGRESP nor the end of the session: the broker hangs on this input. A finding.
                Console.WriteLine($"mqtt-fuzz broker STALL after {Convert.ToHexString(mutant)} ({version})");
            }
        }

        if (!ended)
        {
            // The last bytes are cut mid-packet, as a dropped link would leave them.
            var cut = mutator.Mutate(seeds[mutator.Next(seeds.Count)], seeds[mutator.Next(seeds.Count)]);
            await toServer.Writer.WriteAsync(cut.AsMemory(0, Math.Max(1, cut.Length / 2)));
        }

        await toServer.Writer.CompleteAsync();
        Exception? crash = null;
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            crash = exception;
        }

        await stop.CancelAsync();
        await drain;
        return (sent, ended, crash);
    }

    // Reads what the broker sends and counts its PINGRESPs.
    private static async Task DrainAsync(PipeReader reader, SemaphoreSlim pongs, MqttProtocolVersion version)
    {
        var decoder = new MqttDecoder(1 << 20) { Version = version };
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (decoder.TryDecode(buffer, out var packet, out var consumed, out _) == MqttDecodeStatus.Complete)
            {
                if (packet is PingRespPacket)
                {
                    pongs.Release();
                }

                buffer = buffer.Slice(consumed);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return;
            }
        }
    }

    // After the campaign: a clean client connects, subscribes to its own topic and gets its message back.
    private static async Task<bool> CleanClientWorksAsync(MqttBroker broker)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var stop = new CancellationTokenSource();
        var run = broker.RunConnectionAsync(new BenchDuplex(toServer.Reader, toClient.Writer), "127.0.0.9:2", _ => ConnectDecision.Accept(AllowAllPolicy.Instance), stop.Token);
        await using var client = Rampart.Attack.Probes.MqttProbeClient.Over(toClient.Reader, toServer.Writer);
        try
        {
            var connack = await client.ConnectAsync("fuzz-clean");
            await client.SubscribeAsync(1, new TopicSubscription("devices/fuzz-clean/commands/#", MqttQualityOfService.AtMostOnce));
            await client.SendAsync(new PublishPacket { Topic = "devices/fuzz-clean/commands/ping", Payload = new byte[] { 1 } });
            var echo = await client.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(10));
            return connack.ReasonCode == MqttReasonCode.Success && echo.Topic == "devices/fuzz-clean/commands/ping";
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            await stop.CancelAsync();
            await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
