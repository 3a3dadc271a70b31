using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;
using Rampart.Posture.Evidence;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>
/// Keeps each device's last posture report (<c>devices/{id}/state</c>, attributed to the publishing device
/// only) for the baselines and the fleet audit. Queued from the gateway without waiting (bounded, overflow
/// dropped), written in batches.
/// </summary>
public sealed class PostureReportCollector(MqttGateway gateway, IPostureReportStore store, TimeProvider time) : BackgroundService
{
    private const int QueueCapacity = 10_000;
    private const int BatchSize = 500;

    private readonly Channel<MqttMessage> _reports = Channel.CreateBounded<MqttMessage>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = gateway.Broker.Observe("devices/+/state", message => _reports.Writer.TryWrite(message));
        var batch = new List<ReportedPosture>(BatchSize);
        try
        {
            while (await _reports.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _reports.Reader.TryRead(out var message))
                {
                    if (Read(message) is { } report)
                    {
                        batch.Add(report);
                    }
                }

                if (batch.Count > 0)
                {
                    await store.RecordAsync(batch, stoppingToken);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private ReportedPosture? Read(MqttMessage message)
    {
        // Update progress shares the topic; a report some other principal published is not the device's.
        if (DeviceReports.AttributedDevice(message) is not { } deviceId || message.Payload.IsEmpty
            || Rampart.Updates.Rollouts.UpdateReport.Parse(message.Payload.Span) is not null)
        {
            return null;
        }

        try
        {
            var facts = PostureFacts.Parse(message.Payload.Span);
            return new ReportedPosture(deviceId, facts.FirmwareVersion, facts.Measurement, facts.ListeningPorts, time.GetUtcNow());
        }
        catch (JsonException)
        {
            return null; // The posture monitor records the invalid report.
        }
    }
}
