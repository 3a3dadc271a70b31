using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Server.Gateway;
using Rampart.SupplyChain;

namespace Rampart.Server.SupplyChain.Attestation;

/// <summary>
/// Runs attestation for the node's lifetime: a device's <c>gateway.connected</c> event (every connect and
/// reconnect) queues it for a challenge (<see cref="SupplyChainOptions.AttestOnConnect"/>; bounded, overflow dropped:
/// the device is challenged at its next connect or on demand), and answers on
/// <c>devices/+/state</c> are queued from the gateway's hot path (bounded, overflow dropped) and judged in the background;
/// every <see cref="SupplyChainOptions.AttestationSweepInterval"/> challenges left unanswered get their verdict.
/// </summary>
public sealed partial class AttestationHost(
    AttestationService attestation, MqttGateway gateway, FleetEventStream stream, SupplyChainOptions options, TimeProvider time, ILogger<AttestationHost> logger) : BackgroundService
{
    private readonly Channel<(string Device, ReadOnlyMemory<byte> Payload)> _answers = Channel.CreateBounded<(string, ReadOnlyMemory<byte>)>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    // Devices that connected, to challenge: a challenge is a store write, which must not hold the event stream.
    private readonly Channel<string> _connected = Channel.CreateBounded<string>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = stream.Subscribe();
        using var observation = gateway.Broker.Observe("devices/+/state", Observe);
        var connects = Task.Run(() => FollowAsync(subscription, stoppingToken), CancellationToken.None);
        var challenges = Task.Run(() => ChallengeAsync(stoppingToken), CancellationToken.None);
        var sweeps = Task.Run(() => SweepAsync(stoppingToken), CancellationToken.None);
        try
        {
            await foreach (var (device, payload) in _answers.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await attestation.JudgeAsync(device, payload, stoppingToken);
                }
                catch (JsonException exception)
                {
                    gateway.Events.Record("supplychain.attestation.invalid", SecuritySeverity.Warning, device, null, new Dictionary<string, string> { ["error"] = exception.Message });
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogJudgeFailed(exception, device);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await connects.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await challenges.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await sweeps.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Challenges nobody answered in time get their verdict (AttestationService.SweepAsync); a failed sweep (database away) is retried at the next tick.
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.AttestationSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await attestation.SweepAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogSweepFailed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ChallengeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var device in _connected.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await attestation.ChallengeAsync(device, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogChallengeFailed(exception, device);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Observe(MqttMessage message)
    {
        // Only the device's own report counts (the gateway attributes it to the publisher).
        if (AttestationService.IsAnswer(message.Payload.Span) && DeviceReports.AttributedDevice(message) is { } device)
        {
            _answers.Writer.TryWrite((device, message.Payload));
        }
    }

    // Reads the stream at once and always: its publishers wait for slow subscribers.
    private async Task FollowAsync(FleetEventSubscription subscription, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var fleetEvent in subscription.Events.ReadAllAsync(stoppingToken))
            {
                if (options.AttestOnConnect && fleetEvent is SecurityEventRecorded { Event: { Kind: "gateway.connected", DeviceId: { } device } })
                {
                    _connected.Writer.TryWrite(device);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Challenging {Device} to attest failed")]
    private partial void LogChallengeFailed(Exception exception, string device);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for unanswered attestation challenges failed; retried at the next interval")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Judging an attestation answer of {Device} failed")]
    private partial void LogJudgeFailed(Exception exception, string device);
}
