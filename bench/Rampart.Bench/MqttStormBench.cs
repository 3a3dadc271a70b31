using System.Diagnostics;
using System.Globalization;
using System.Net;
using Rampart.Device.Connection;

namespace Rampart.Bench;

/// <summary>
/// <c>mqtt-storm --port P --certs DIR [--from 0] [--count 6000] [--local 127.0.0.2] [--deadline 1200]</c>:
/// one slice of a fleet of devices run by the device SDK's own client (<see cref="DeviceMqttClient"/>:
/// mutual TLS, session resumption, reconnect with exponential backoff and full jitter, retry after
/// "server busy"). It connects its slice, prints <c>STORM connected</c>, then waits for every client
/// to have reconnected once (the node restarted under it: the connection storm) and prints
/// <c>STORM reconnected</c> with the time from the first client that lost its link to the last one
/// back, the busy refusals and the failures. <c>bench/storm.sh</c> runs several slices (a process may
/// hold 20,000 descriptors here) and restarts the node between the two phases. Bounded by --deadline.
/// </summary>
internal static class MqttStormBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var host = arguments.String("host") ?? "127.0.0.1";
        var port = arguments.Int("port", 8883);
        var certs = arguments.String("certs") ?? throw new ArgumentException("--certs DIR is required (see mqtt-provision)");
        var from = arguments.Int("from", 0);
        var count = arguments.Int("count", 6000);
        var local = arguments.String("local") is { } address ? IPAddress.Parse(address) : null;
        var deadline = TimeSpan.FromSeconds(arguments.Int("deadline", 1200));
        var maximumDelay = TimeSpan.FromSeconds(arguments.Int("max-delay", 30));
        var clock = Stopwatch.StartNew();
        using var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(certs, "root.pem"));

        var clients = Enumerable.Range(from, count).Select(i =>
        {
            var id = MqttProvisionBench.DeviceId(i);
            var identity = BenchMqttClient.LoadIdentity(certs, id);
            return new DeviceMqttClient(new DeviceConnectionOptions
            {
                DeviceId = id,
                Host = host,
                Port = port,
                TrustedRoot = root,
                LocalAddress = local,
                Certificate = () => identity,
                KeepAlive = TimeSpan.FromMinutes(5),
                InitialReconnectDelay = TimeSpan.FromSeconds(1),
                MaximumReconnectDelay = maximumDelay,
            });
        }).ToArray();

        // Phase 1: the fleet comes up (all at once; the SDK retries what the gateway calls busy).
        using var stop = new CancellationTokenSource(deadline);
        var started = clock.Elapsed;
        try
        {
            await Task.WhenAll(clients.Select(client => client.StartAsync(stop.Token)));
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"STORM deadline: {clients.Count(c => c.IsConnected)} of {clients.Length} connected; last error: {clients.Select(c => c.LastError).LastOrDefault(e => e is not null) ?? "none"}");
            await Parallel.ForEachAsync(clients, async (client, _) => await client.DisposeAsync());
            return;
        }

        Report("connected", clients, clock.Elapsed - started, TimeSpan.Zero);

        // Phase 2: wait for every client to have lost its link and come back (the node restarted).
        TimeSpan? firstLost = null;
        while (!stop.IsCancellationRequested)
        {
            var now = clock.Elapsed;
            if (firstLost is null && clients.Any(client => !client.IsConnected))
            {
                firstLost = now;
            }

            if (firstLost is not null && clients.All(client => client.Connections >= 2 && client.IsConnected))
            {
                Report("reconnected", clients, now - firstLost.Value, firstLost.Value);
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }

        if (stop.IsCancellationRequested)
        {
            var back = clients.Count(client => client.Connections >= 2 && client.IsConnected);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"STORM deadline: {back} of {clients.Length} back after {deadline.TotalSeconds:F0} s; last error: {clients.Select(c => c.LastError).LastOrDefault(e => e is not null) ?? "none"}"));
        }

        await Parallel.ForEachAsync(clients, async (client, _) => await client.DisposeAsync());
    }

    private static void Report(string phase, DeviceMqttClient[] clients, TimeSpan took, TimeSpan at)
    {
        var busy = clients.Sum(client => client.BusyRefusals);
        var connected = clients.Count(client => client.IsConnected);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"STORM {phase} {connected} of {clients.Length} in {took.TotalSeconds:F2} s (phase began at {at.TotalSeconds:F2} s); busy refusals so far {busy}; connections made {clients.Sum(c => c.Connections)}"));
        Console.Out.Flush();
    }
}
