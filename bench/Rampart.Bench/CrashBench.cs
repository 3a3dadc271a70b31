using Rampart.Testing.Crash;

namespace Rampart.Bench;

/// <summary>
/// The long crash run (issue 13): the test suite's harness over many more kill-and-restart rounds.
/// Exits 1 on the first violation, with the data directory kept for inspection.
/// </summary>
internal static class CrashBench
{
    /// <summary><c>crash [--iterations 50] [--workers 8] [--max-acks 200] [--seed N] [--only enroll|updates|all]</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args);
        var iterations = arguments.Int("iterations", 50);
        var operations = arguments.String("only") switch
        {
            "enroll" => CrashOperation.Enroll,
            "updates" => CrashOperation.Updates,
            _ => CrashOperation.All,
        };
        var options = new CrashOptions(operations, Rounds: iterations, MinimumRounds: iterations, Budget: TimeSpan.MaxValue,
            Workers: arguments.Int("workers", 8), MaxAcknowledgementsPerRound: arguments.Int("max-acks", 200), Seed: arguments.Int("seed", Environment.TickCount));
        var data = BenchNode.NewDataDirectory("crash");
        Console.WriteLine($"crash: {iterations} rounds of {operations} with {options.Workers} workers, seed {options.Seed}, data {data}");
        var report = await CrashHarness.RunAsync(data, options, Console.WriteLine);
        Console.WriteLine($"crash: {report.Rounds} rounds, acknowledged {report.Acknowledged}; {report.Violations.Count} violations");
        foreach (var violation in report.Violations)
        {
            Console.WriteLine("  " + violation);
        }

        if (report.Violations.Count > 0)
        {
            Environment.ExitCode = 1;
            return;
        }

        Directory.Delete(data, recursive: true);
    }
}
