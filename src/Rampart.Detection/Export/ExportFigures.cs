using System.Diagnostics.Metrics;

namespace Rampart.Detection.Export;

/// <summary>
/// The outbox figures the metrics read (Meter <c>Rampart.Export</c>): the last status read from the
/// store, per destination. Observable instruments read this snapshot, so a scrape never touches the database.
/// </summary>
public sealed class ExportFigures : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Rampart.Export";

    private readonly Meter _meter;
    private volatile IReadOnlyList<DestinationStatus> _latest = [];

    /// <summary>Creates the meter and its instruments.</summary>
    public ExportFigures(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("rampart.export.queued", () => Each(status => status.Queued), "{record}", "Records waiting in the outbox per destination");
        _meter.CreateObservableCounter("rampart.export.delivered", () => Each(status => status.Delivered), "{record}", "Records delivered per destination");
        _meter.CreateObservableCounter("rampart.export.dropped", () => Each(status => status.Dropped), "{record}", "Records dropped by the outbox bounds per destination");
        _meter.CreateObservableGauge("rampart.export.failing", () => Each(status => (long)status.FailedAttempts), "{attempt}", "Consecutive failed attempts per destination (0 when healthy)");
    }

    /// <summary>The last status read.</summary>
    public IReadOnlyList<DestinationStatus> Latest => _latest;

    /// <summary>Replaces the snapshot.</summary>
    public void Update(IReadOnlyList<DestinationStatus> statuses) => _latest = statuses;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Each(Func<DestinationStatus, long> value) =>
        _latest.Select(status => new Measurement<long>(value(status), new KeyValuePair<string, object?>("destination", status.Destination)));
}
