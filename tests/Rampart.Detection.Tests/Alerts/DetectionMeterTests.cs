using System.Diagnostics.Metrics;
using Rampart.Detection.Detectors;
using Rampart.Detection.Response;
using Rampart.Detection.Tests.Response;

namespace Rampart.Detection.Tests.Alerts;

public sealed class DetectionMeterTests : IAsyncLifetime
{
    private AlertHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AlertHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task The_Rampart_Detection_meter_reports_open_alerts_by_severity_and_containments_by_action()
    {
        var gauges = new Dictionary<string, long>();
        var containments = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _harness.Meter.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tag = tags.ToArray().FirstOrDefault().Value?.ToString() ?? "";
            if (instrument.Name == "rampart.detection.alerts.open")
            {
                gauges[tag] = value;
            }
            else if (instrument.Name == "rampart.detection.containments")
            {
                containments[tag] = containments.GetValueOrDefault(tag) + value;
            }
        });
        listener.Start();

        var changes = await _harness.Alerts.RaiseAsync(
            [_harness.Finding("d1", "a", AlertSeverity.High), _harness.Finding("d2", "a", AlertSeverity.High), _harness.Finding("d3", "a", AlertSeverity.Low)], CancellationToken.None);
        var options = new ResponseOptions();
        await new ResponseEngine(options, new RecordingContainment(), _harness.Alerts, _harness.Budget(options), meter: _harness.Meter).HandleAsync(changes, CancellationToken.None);
        listener.RecordObservableInstruments();

        Assert.Equal("Rampart.Detection", _harness.Meter.Meter.Name);
        Assert.Equal(2, gauges["high"]);
        Assert.Equal(1, gauges["low"]);
        Assert.Equal(0, gauges["critical"]);
        Assert.Equal(2, containments["quarantine"]);
    }
}
