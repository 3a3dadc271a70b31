using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Rampart.Testing.Crash;

/// <summary>
/// The crash harness (issue 13): runs operations against a real <c>rampart serve</c> child process,
/// kills it with SIGKILL at a random point (after a random number of acknowledgements plus a random
/// sub-millisecond-to-milliseconds delay, so kills land inside transactions and fsyncs), restarts it
/// on the same data directory, and after every kill checks <see cref="CrashInvariants"/> and
/// <c>rampart audit verify</c>. Bounded by rounds and by a time budget; never by sleeping a fixed time.
/// </summary>
public static partial class CrashHarness
{
    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(120);

    /// <summary>Runs the rounds; the report lists every violation found.</summary>
    public static async Task<CrashReport> RunAsync(string data, CrashOptions options, Action<string>? log = null)
    {
        var ledger = new CrashLedger();
        var violations = new List<string>();
        var random = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        while (rounds < options.Rounds && (rounds < options.MinimumRounds || clock.Elapsed < options.Budget) && violations.Count == 0)
        {
            rounds++;
            var round = await RunRoundAsync(data, options, ledger, random, rounds);
            violations.AddRange(round.Select(v => $"round {rounds}: {v}"));
            log?.Invoke($"round {rounds}: {ledger.Summary()} ({clock.Elapsed.TotalSeconds:F1} s){(round.Count > 0 ? " — " + string.Join("; ", round) : string.Empty)}");
        }

        return new CrashReport(rounds, ledger.Summary(), violations);
    }

    private static async Task<List<string>> RunRoundAsync(string data, CrashOptions options, CrashLedger ledger, Random random, int round)
    {
        var violations = new List<string>();
        using (var node = Serve(data))
        {
            var https = new Uri((await node.WaitForOutputAsync(Ready(), _patience)).Groups[1].Value);
            using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
            var load = new CrashLoad(https, Path.Combine(data, "admin.sock"), root, options.Operations, ledger, $"r{round}-{random.Next(1000):D3}");
            var killed = 0;
            using var stop = new CancellationTokenSource();

            // 1. Load from several workers; 2. the kill point: a random number of further
            // acknowledgements, then a random delay of up to a few milliseconds.
            var running = load.RunAsync(options.Workers, random.Next(), () => Volatile.Read(ref killed) == 0, stop.Token);
            var target = ledger.Count + random.Next(1, options.MaxAcknowledgementsPerRound + 1);
            var deadline = Stopwatch.StartNew();
            while (ledger.Count < target && !running.IsCompleted && deadline.Elapsed < _patience)
            {
                await Task.Delay(1);
            }

            SpinFor(TimeSpan.FromMicroseconds(random.Next(0, 8000)));
            Volatile.Write(ref killed, 1);
            node.KillHard();
            await node.WaitForExitAsync(_patience);
            await stop.CancelAsync();
            await running;
            if (load.Unexpected > 0)
            {
                violations.Add($"{load.Unexpected} operations refused while the node was alive, first: {load.FirstUnexpected}");
            }

            if (running.IsCompleted && ledger.Count < target && deadline.Elapsed >= _patience)
            {
                violations.Add($"the load made no progress within {_patience.TotalSeconds:0} s:\n{node.Output}");
            }
        }

        // 3. The invariants on what the kill left, then the audit chain.
        violations.AddRange(await CrashInvariants.CheckAsync(Path.Combine(data, "rampart.db"), ledger));
        var (exitCode, output) = await RunningProcess.RunAsync("dotnet", [Dll, "audit", "verify", "--data", data], _patience);
        if (exitCode != 0)
        {
            violations.Add($"rampart audit verify failed ({exitCode}): {output.Trim()}");
        }

        return violations;
    }

    /// <summary>The rampart executable beside the test or bench assembly.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rampart.dll");

    private static RunningProcess Serve(string data) =>
        RunningProcess.Start("dotnet", [Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", "127.0.0.1:0"],
            environment: new Dictionary<string, string>
            {
                // Renewal allowed at once (the window is the whole validity), so the load can renew what it just enrolled.
                ["RAMPART__ENROLLMENT__RENEWALWINDOWFRACTION"] = "1",

                // Failed attempts are not the point here; keep the backoff out of the way of a refused retry.
                ["RAMPART__ENROLLMENT__FREEAUTHENTICATIONFAILURES"] = "1000",

                // The load promotes releases that carry no SBOM; the release gate has its own tests
                // (Rampart.Server.Tests/SupplyChain), here it would refuse every promotion.
                ["RAMPART__SUPPLYCHAIN__ENFORCEGATE"] = "false",
            });

    private static void SpinFor(TimeSpan delay)
    {
        // A busy wait, not a sleep: it places the kill, it does not wait for anything to happen.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < delay)
        {
            Thread.SpinWait(20);
        }
    }

    [GeneratedRegex(@"Rampart node ready: https=(https://[0-9.:\[\]]+/)")]
    private static partial Regex Ready();
}

/// <summary>How long and how hard to crash.</summary>
/// <param name="Rounds">At most this many kill-and-restart rounds.</param>
/// <param name="MinimumRounds">At least this many, whatever the budget.</param>
/// <param name="Budget">No new round starts after this much time (beyond the minimum).</param>
/// <param name="Workers">Concurrent clients.</param>
/// <param name="MaxAcknowledgementsPerRound">The kill comes after 1 to this many acknowledgements.</param>
/// <param name="Seed">Makes the kill points reproducible (the timing still varies).</param>
public sealed record CrashOptions(
    CrashOperation Operations, int Rounds = 5, int MinimumRounds = 2, TimeSpan Budget = default, int Workers = 8, int MaxAcknowledgementsPerRound = 60, int Seed = 1);

/// <summary>What a crash run found.</summary>
public sealed record CrashReport(int Rounds, string Acknowledged, IReadOnlyList<string> Violations);
