using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Broker;
using Rampart.Fleet.Updates;
using Rampart.Updates.Rollouts;

namespace Rampart.Server.Updates;

/// <summary>
/// How rollouts reach devices: a directive, retained at QoS 1 on <c>devices/{id}/config</c>, and its
/// withdrawal when a rollout is aborted or cancelled — the withdrawal replaces the retained directive,
/// so a device told but not yet started (or offline) does not install, and one downloading stops.
/// </summary>
public sealed class RolloutNotifier(MqttBroker broker, IRolloutStore store, TimeProvider time)
{
    /// <summary>Publishes a directive to one device.</summary>
    public void Notify(string deviceId, FirmwareDirective directive) =>
        broker.Publish(ConfigTopic(deviceId), directive.ToJson(), MqttQualityOfService.AtLeastOnce, retain: true);

    private static string ConfigTopic(string deviceId) => $"devices/{deviceId}/config";

    /// <summary>
    /// Withdraws a stopped rollout from every device that has not begun installing: notified devices are
    /// recorded as failed ("withdrawn"); downloading ones are told to stop and report themselves. Returns
    /// how many devices were told.
    /// </summary>
    public async Task<int> WithdrawAsync(long rollout, string why, CancellationToken cancellationToken)
    {
        var told = 0;
        var withdrawal = FirmwareDirective.Withdrawal(rollout);
        foreach (var state in new[] { RolloutDeviceState.Notified, RolloutDeviceState.Downloading })
        {
            await foreach (var device in store.EachDeviceAsync(rollout, state, cancellationToken))
            {
                broker.Publish(ConfigTopic(device.DeviceId), withdrawal, MqttQualityOfService.AtLeastOnce, retain: true);
                if (state == RolloutDeviceState.Notified)
                {
                    await store.TryMoveDeviceAsync(rollout, device.DeviceId, [RolloutDeviceState.Notified], RolloutDeviceState.Failed, $"withdrawn before it started: {why}",
                        time.GetUtcNow(), cancellationToken);
                }

                told++;
            }
        }

        return told;
    }
}
