using System.CommandLine;

namespace Rampart.Cli.Commands;

/// <summary>
/// When <c>sim</c> and <c>demo</c> stop. Plain <c>--duration N</c> stops N seconds after the start, so on a
/// busy machine enrolment can eat the run. With <c>--wait-ready MAX</c> the N seconds start only once every
/// device has enrolled and connected, and the run goes on past them until its work is over (with
/// <c>demo --rollout</c>: the rollout has ended) — never past MAX seconds in all.
/// </summary>
internal static class RunClock
{
    public static Option<int?> WaitReadyOption() => new("--wait-ready")
    {
        Description = "Start the --duration clock once every device has enrolled and connected, and run on until the work is over (a rollout ended); stop after this many seconds in all at most",
    };

    /// <summary>Refuses a bound below one second, naming the option.</summary>
    public static void Check(int? waitReady)
    {
        if (waitReady is < 1)
        {
            throw new Server.Admin.AdminCommandException($"--wait-ready: must be at least 1 second (it is {waitReady})");
        }
    }

    /// <summary>Cancels <paramref name="stop"/> when the run is over; without either setting the run lasts until Ctrl-C.</summary>
    public static Task StopWhenOverAsync(CancellationTokenSource stop, int? duration, int? waitReady, Func<bool> ready, Func<Task<bool>>? finished = null)
    {
        if (waitReady is not { } bound)
        {
            if (duration is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            return Task.CompletedTask;
        }

        stop.CancelAfter(TimeSpan.FromSeconds(bound));
        return Task.Run(async () =>
        {
            try
            {
                while (!ready())
                {
                    await Task.Delay(200, stop.Token);
                }

                await Task.Delay(TimeSpan.FromSeconds(duration ?? 0), stop.Token);
                while (finished is not null && !await finished())
                {
                    await Task.Delay(500, stop.Token);
                }

                await stop.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                // The bound (or Ctrl-C) came first.
            }
        }, CancellationToken.None);
    }
}
