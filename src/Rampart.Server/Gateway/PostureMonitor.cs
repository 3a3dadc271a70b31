using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;

namespace Rampart.Server.Gateway;

/// <summary>
/// Reads the posture devices report on <c>devices/{id}/state</c> and records what a security engineer
/// must see: a tamper switch (high), a firmware measurement that changed while the version did not
/// (high), firmware past the device's end of support (warning), a report that is not a posture (warning),
/// a report on a device's topic that another principal published (warning; it is not judged).
/// Reports are queued from the gateway's hot path without waiting (bounded; overflow is dropped) and
/// judged in the background.
/// </summary>
public sealed class PostureMonitor(MqttGateway gateway, IDeviceStore devices, TimeProvider time) : BackgroundService
{
    private const int QueueCapacity = 10_000;

    private readonly Channel<MqttMessage> _reports = Channel.CreateBounded<MqttMessage>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly ConcurrentDictionary<string, (string? Version, string? Measurement)> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _unsupportedReported = new(StringComparer.Ordinal);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = gateway.Broker.Observe("devices/+/state", message => _reports.Writer.TryWrite(message));
        try
        {
            await foreach (var report in _reports.Reader.ReadAllAsync(stoppingToken))
            {
                await JudgeAsync(report, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task JudgeAsync(MqttMessage report, CancellationToken cancellationToken)
    {
        // A report belongs to the device that published it, not to the id in the topic: a service
        // allowed to publish on devices/+/state cannot speak for a device (nor clear its tamper flag).
        if (DeviceReports.AttributedDevice(report) is not { } deviceId)
        {
            Record("device.report-not-attributed", SecuritySeverity.Warning, DeviceReports.TopicDevice(report.Topic), new()
            {
                ["topic"] = report.Topic,
                ["publisher"] = report.Publisher ?? "server",
            });
            return;
        }

        // Update progress shares the state topic; it is the rollout engine's, not a posture.
        if (report.Payload.IsEmpty || Rampart.Updates.Rollouts.UpdateReport.Parse(report.Payload.Span) is not null)
        {
            return;
        }

        PostureFacts facts;
        try
        {
            facts = PostureFacts.Parse(report.Payload.Span);
        }
        catch (JsonException exception)
        {
            Record("device.posture-invalid", SecuritySeverity.Warning, deviceId, new() { ["error"] = exception.Message });
            return;
        }

        if (facts.TamperFlags.Count > 0)
        {
            Record("device.tamper-reported", SecuritySeverity.High, deviceId, new() { ["flags"] = string.Join(",", facts.TamperFlags) });
        }

        var previous = _last.GetValueOrDefault(deviceId);
        if (facts.Measurement is not null && previous.Measurement is not null && facts.FirmwareVersion == previous.Version && facts.Measurement != previous.Measurement)
        {
            Record("device.firmware-measurement-changed", SecuritySeverity.High, deviceId, new()
            {
                ["firmware-version"] = facts.FirmwareVersion ?? "-",
                ["previous"] = previous.Measurement,
                ["reported"] = facts.Measurement,
            });
        }

        _last[deviceId] = (facts.FirmwareVersion, facts.Measurement ?? previous.Measurement);

        var device = await devices.GetAsync(deviceId, cancellationToken);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (device?.SupportUntil is { } supportUntil && supportUntil < today && _unsupportedReported.TryAdd(deviceId, 0))
        {
            Record("device.unsupported-firmware", SecuritySeverity.Warning, deviceId, new()
            {
                ["support-until"] = supportUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["firmware-version"] = facts.FirmwareVersion ?? "-",
            });
        }
    }

    private void Record(string kind, SecuritySeverity severity, string? deviceId, Dictionary<string, string> details) =>
        gateway.Events.Record(kind, severity, deviceId, null, details);
}
