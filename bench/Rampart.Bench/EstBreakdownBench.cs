using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Est;
using Rampart.Pki.Profiles;

namespace Rampart.Bench;

/// <summary>
/// Where an enrollment's server CPU goes, step by step, in process (no HTTP, no TLS): each step of
/// <see cref="EnrollmentService.EnrollAsync"/> run alone many times, then the whole service call
/// sequentially and with concurrent callers (group commit). Process CPU per operation; the node's
/// background work is idle. Subtract from <c>est-cpu</c> to see what HTTP and TLS add.
/// </summary>
internal static class EstBreakdownBench
{
    /// <summary><c>est-breakdown [--count 1000] [--concurrency 8]</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var count = arguments.Int("count", 1000);
        var concurrency = arguments.Int("concurrency", 8);
        var data = BenchNode.NewDataDirectory("est-breakdown");
        await using (var node = await BenchNode.StartAsync(data))
        {
            var services = node.Services;
            var inventory = services.GetRequiredService<InventoryService>();
            var issuer = services.GetRequiredService<CertificateIssuer>();
            var tokens = services.GetRequiredService<BootstrapTokens>();
            var devices = services.GetRequiredService<IDeviceStore>();
            var enrollment = services.GetRequiredService<EnrollmentService>();
            var audit = services.GetRequiredService<IAuditLog>();
            var profile = CertificateProfiles.Device(services.GetRequiredService<IOptions<EnrollmentOptions>>().Value.DeviceCertificateValidity, issuer.KeyHolderLookup("device"));

            // Not measured: devices, tokens, keys and CSRs.
            var work = new (string Id, string Token, byte[] Csr)[3 * count + 200];
            for (var i = 0; i < work.Length; i++)
            {
                var (_, token) = await inventory.AddAsync(new NewDevice($"bd-{i:D6}"), "bench", CancellationToken.None);
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                work[i] = (token.DeviceId, token.Token, new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest());
            }

            var (request, _) = CsrReader.Read(work[0].Csr);
            var (template, _) = await issuer.PrepareAsync(profile, work[0].Id, request!, CancellationToken.None);
            var (record, certificate) = issuer.Sign(profile, work[0].Id, template!);
            var credentials = new EstCredentials(null, null, null, "127.0.0.1");
            var rows = new List<string>();
            var next = 0;

            // Warm-up of the whole path, then each step alone.
            for (var i = 0; i < 200; i++, next++)
            {
                await enrollment.EnrollAsync(EstOperation.Enroll, credentials with { UserName = work[next].Id, Secret = work[next].Token }, work[next].Csr, CancellationToken.None);
            }

            rows.Add(await MeasureAsync("CSR parse + proof of possession (CsrReader.Read)", count, 1, _ => { CsrReader.Read(work[0].Csr); return Task.CompletedTask; }));
            rows.Add(await MeasureAsync("device profile incl. key-holder query (PrepareAsync)", count, 1, async _ => await issuer.PrepareAsync(profile, work[0].Id, request!, CancellationToken.None)));
            rows.Add(await MeasureAsync("bootstrap token lookup (FindUsableAsync)", count, 1, async i => await tokens.FindUsableAsync(work[next + i].Token, CancellationToken.None)));
            rows.Add(await MeasureAsync("device lookup (IDeviceStore.GetAsync)", count, 1, async i => await devices.GetAsync(work[next + i].Id, CancellationToken.None)));
            rows.Add(await MeasureAsync("sign (CertificateIssuer.Sign, ECDSA P-256)", count, 1, _ => { issuer.Sign(profile, work[0].Id, template!).Certificate.Dispose(); return Task.CompletedTask; }));
            rows.Add(await MeasureAsync("certs-only response (EstEncoding.CertsOnly)", count, 1, _ => { EstEncoding.CertsOnly([certificate]); return Task.CompletedTask; }));
            var audited = new AuditRecord("bench", "bench.audited", "bench/1", AuditOutcome.Success, new Dictionary<string, string> { ["serial"] = record.Serial });
            rows.Add(await MeasureAsync("empty audited commit, one at a time (fsync each)", count, 1,
                async _ => await audit.CommitAsync((_, _) => ValueTask.FromResult(AuditedOutcome<bool>.Done(true, audited)), CancellationToken.None)));
            rows.Add(await MeasureAsync($"empty audited commit, {concurrency} callers (group commit)", count, concurrency,
                async _ => await audit.CommitAsync((_, _) => ValueTask.FromResult(AuditedOutcome<bool>.Done(true, audited)), CancellationToken.None)));
            rows.Add(await MeasureAsync("EnrollmentService.EnrollAsync, one at a time", count, 1, async _ =>
            {
                var i = Interlocked.Increment(ref next) - 1;
                (await enrollment.EnrollAsync(EstOperation.Enroll, credentials with { UserName = work[i].Id, Secret = work[i].Token }, work[i].Csr, CancellationToken.None)).Certificate!.Dispose();
            }));
            rows.Add(await MeasureAsync($"EnrollmentService.EnrollAsync, {concurrency} callers", count, concurrency, async _ =>
            {
                var i = Interlocked.Increment(ref next) - 1;
                (await enrollment.EnrollAsync(EstOperation.Enroll, credentials with { UserName = work[i].Id, Secret = work[i].Token }, work[i].Csr, CancellationToken.None)).Certificate!.Dispose();
            }));
            certificate.Dispose();

            Console.WriteLine($"est-breakdown count={count} (in process, no HTTP/TLS; process CPU per operation)");
            Console.WriteLine($"{"step",-58} {"ops/s",8} {"CPU ms/op",10}");
            rows.ForEach(Console.WriteLine);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(data, recursive: true);
    }

    private static async Task<string> MeasureAsync(string step, int count, int concurrency, Func<int, Task> operation)
    {
        var next = -1;
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await operation(i);
            }
        })));
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
        return $"{step,-58} {count / clock.Elapsed.TotalSeconds,8:F0} {cpu.TotalMilliseconds / count,10:F3}";
    }
}
