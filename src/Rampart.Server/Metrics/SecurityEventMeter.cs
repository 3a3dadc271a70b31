using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Metrics;

/// <summary>
/// Meter <c>Rampart.Security</c>: security events by kind and severity as they are published on the
/// fleet stream — enrollment (<c>certificate.issued</c>, <c>enrollment.refused</c>), alerts
/// (<c>alert.opened</c>, …), refusals. Kinds are names from the code, so the label set stays small.
/// </summary>
public sealed class SecurityEventMeter(IMeterFactory meters, FleetEventStream stream) : BackgroundService
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Rampart.Security";

    private readonly Meter _meter = meters.Create(MeterName);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var counter = _meter.CreateCounter<long>("rampart.security.events", "{event}", "Security events recorded since the node started, by kind and severity");
        using var subscription = stream.Subscribe();
        try
        {
            await foreach (var fleetEvent in subscription.Events.ReadAllAsync(stoppingToken))
            {
                if (fleetEvent is SecurityEventRecorded { Event: var recorded })
                {
                    counter.Add(1, new KeyValuePair<string, object?>("kind", recorded.Kind),
                        new KeyValuePair<string, object?>("severity", recorded.Severity.ToString().ToLowerInvariant()));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }
}
