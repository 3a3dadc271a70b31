using Microsoft.Extensions.Hosting;

namespace Rampart.Server.WebConsole.Traffic;

/// <summary>Samples <see cref="TrafficHistory"/> once a minute on the node's clock (a few milliseconds at 50,000 devices; bench console-traffic).</summary>
public sealed class TrafficSampler(TrafficHistory history, TimeProvider time) : BackgroundService
{
    /// <summary>The sampling period: the chart's resolution.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                history.Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
