using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rampart.Detection.Export;
using Rampart.Fleet.Monitoring;
using Rampart.Storage.Audit;
using Rampart.Storage.Export;
using Rampart.Storage.Migrations;
using Rampart.Storage.Monitoring;
using Rampart.Storage.Sqlite;

namespace Rampart.Bench;

/// <summary>
/// <c>export-outbox [--events 20000] [--batch 100]</c>: a backlog of security events drained through
/// the persisted outbox to a syslog-over-TLS collector on loopback (in this process, counting
/// frames); and the bounded outbox dropping a backlog beyond its limit.
/// </summary>
internal static class ExportBench
{
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var count = arguments.Int("events", 20_000);
        var batch = arguments.Int("batch", 100);
        await DrainAsync(count, batch, maxRows: 1_000_000);
        await DrainAsync(count, batch, maxRows: count / 10);
    }

    private static async Task DrainAsync(int count, int batch, int maxRows)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rampart-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var database = new SqliteDatabase(Path.Combine(directory, "bench.db"));
            await new MigrationRunner(database).ApplyAsync();
            var events = new SqliteSecurityEventStore(database);
            for (var i = 0; i < count; i += 1000)
            {
                await events.AppendManyAsync(Enumerable.Range(i, Math.Min(1000, count - i)).Select(n => new SecurityEvent(
                    DateTimeOffset.UtcNow, "gateway.denied", SecuritySeverity.Warning, $"device-{n % 5000}", "192.0.2.7",
                    new Dictionary<string, string> { ["topic"] = $"devices/device-{n % 5000}/telemetry", ["reason"] = "not permitted" })).ToList(), CancellationToken.None);
            }

            using var certificate = SelfSigned();
            var caFile = Path.Combine(directory, "ca.pem");
            await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem());
            using var collector = new Collector(certificate);
            var options = new ExportOptions
            {
                Syslog = { ["bench"] = new SyslogDestinationOptions { Host = "127.0.0.1", ServerName = "localhost", Port = collector.Port, CaFile = caFile } },
                Outbox = { BatchSize = batch, MaxRowsPerDestination = maxRows, PollInterval = TimeSpan.FromMilliseconds(100) },
            };
            await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            using var figures = new ExportFigures(services.GetRequiredService<IMeterFactory>());
            await using var sender = new SyslogTlsSender("bench", options.Syslog["bench"], "bench-node", TimeProvider.System);
            var stream = new FleetEventStream();
            var outbox = new SqliteExportOutbox(database);
            var export = new ExportService(outbox, events, new SqliteAuditStore(database), new SecurityEvents(events, stream, TimeProvider.System), stream,
                [sender], Options.Create(options), figures, TimeProvider.System, NullLogger<ExportService>.Instance);

            using var stop = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var running = export.RunAsync(stop.Token);
            DestinationStatus status;
            do
            {
                await Task.Delay(50);
                status = (await export.StatusAsync(CancellationToken.None)).Single();
            }
            while (status.Delivered + status.Dropped < count || status.Queued > 0);

            clock.Stop();
            await stop.CancelAsync();
            await running;
            Console.WriteLine(
                $"export-outbox events={count} batch={batch} max-rows={maxRows}: delivered {status.Delivered}, dropped {status.Dropped} (counted), " +
                $"collector received {collector.Frames} frames; {status.Delivered / clock.Elapsed.TotalSeconds:F0} records/s through the outbox to syslog over TLS " +
                $"({clock.Elapsed.TotalSeconds:F1} s); database {new FileInfo(database.Path).Length / 1024} KiB");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    // A TLS collector that counts octet-counted frames (RFC 5425 §4.3).
    private sealed class Collector : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private long _frames;

        public Collector(X509Certificate2 certificate)
        {
            _certificate = certificate;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public long Frames => Interlocked.Read(ref _frames);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    _ = ReadAsync(client);
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ReadAsync(TcpClient client)
        {
            using (client)
            await using (var tls = new SslStream(client.GetStream()))
            {
                await tls.AuthenticateAsServerAsync(_certificate);
                var buffer = new byte[64 * 1024];
                int length = 0, read;
                while ((read = await tls.ReadAsync(buffer.AsMemory(length))) > 0)
                {
                    length += read;
                    var offset = 0;
                    while (true)
                    {
                        var space = Array.IndexOf(buffer, (byte)' ', offset, length - offset);
                        if (space < 0)
                        {
                            break;
                        }

                        var size = int.Parse(System.Text.Encoding.ASCII.GetString(buffer, offset, space - offset), System.Globalization.CultureInfo.InvariantCulture);
                        if (space + 1 + size > length)
                        {
                            break;
                        }

                        offset = space + 1 + size;
                        Interlocked.Increment(ref _frames);
                    }

                    Buffer.BlockCopy(buffer, offset, buffer, 0, length - offset);
                    length -= offset;
                }
            }
        }
    }
}
