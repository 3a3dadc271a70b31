using Rampart.Device.Connection;
using Rampart.Mqtt.Protocol;

namespace Rampart.Simulator;

/// <summary>The profiles detection must notice (issue 14): devices that behave for a while, then turn; and the posture every device reports.</summary>
public sealed partial class SimulatedDevice
{
    // Posture now and then, as a device agent reports it (restarts, ports and destinations change only when the profile changes them).
    private async Task PostureLoopAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var loop = Profile == Misbehaviour.RebootLoop && MisbehavingSince is not null;
            await Task.Delay(loop ? TimeSpan.FromSeconds(3) : options.PostureInterval, cancellationToken);
            if (loop)
            {
                _bootCounter++;
            }

            await ReportPostureAsync(client, cancellationToken);
        }
    }

    // Behaves for a while (detection learns it), then turns: the profile's misbehaviour from then on.
    private async Task TurnAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        var telemetry = TelemetryAsync(client, cancellationToken);
        await Task.Delay(options.MisbehaveAfter * (0.8 + (Random.Shared.NextDouble() * 0.4)), cancellationToken);
        MisbehavingSince = DateTimeOffset.UtcNow;
        switch (Profile)
        {
            case Misbehaviour.Exfiltrate:
                _payloadBytes = 16 * 1024;
                break;
            case Misbehaviour.Backdoor:
                _ports = [.. _ports, 23];
                await ReportPostureAsync(client, cancellationToken);
                break;
            case Misbehaviour.Beacon:
                _destinations = [.. _destinations, SimulatedPosture.BeaconDestination];
                await ReportPostureAsync(client, cancellationToken);
                break;
            case Misbehaviour.Drift:
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(options.TelemetryInterval, cancellationToken);
                    _payloadScale = Math.Min(_payloadScale * options.DriftGrowth, 400);
                }

                break;
        }

        await telemetry;
    }

    private Task ReportPostureAsync(DeviceMqttClient client, CancellationToken cancellationToken) =>
        ReportAsync(client.PublishAsync($"devices/{Id}/state", Posture().ToJson(), MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken));

    // A reading, padded as the profile has it: exfiltration sends big messages, drift ever larger ones.
    private byte[] Payload()
    {
        var reading = Reading();
        var size = Math.Max(_payloadBytes, (int)(reading.Length * _payloadScale));
        if (size <= reading.Length)
        {
            return reading;
        }

        var padded = new byte[size];
        reading.CopyTo(padded, 0);
        padded.AsSpan(reading.Length).Fill((byte)' ');
        return padded;
    }


    private SimulatedPosture Posture() => Profile switch
    {
        Misbehaviour.Stale => new SimulatedPosture("0.9.1", 7, TimeSpan.FromDays(400), [23], [], "sha256:" + new string('0', 64), SimulatedPosture.UsualDestinations),
        Misbehaviour.RebootLoop when MisbehavingSince is not null => new SimulatedPosture("2.1.0", _bootCounter, TimeSpan.FromSeconds(2), _ports, [], "sha256:" + new string('a', 64), _destinations),
        _ => new SimulatedPosture("2.1.0", _bootCounter, DateTimeOffset.UtcNow - _booted, _ports, [], "sha256:" + new string('a', 64), _destinations),
    };
}
