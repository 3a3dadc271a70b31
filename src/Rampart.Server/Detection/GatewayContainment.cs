using System.Security.Cryptography.X509Certificates;
using Rampart.Detection.Alerts;
using Rampart.Detection.Response;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;

namespace Rampart.Server.Detection;

/// <summary>
/// Containment over the node's existing controls: quarantine is the inventory's audited state change
/// (live sessions get the quarantine permissions through the gateway's live control, without a
/// reconnect), revocation the CA's, disconnect the broker's, tightened limits the gateway's per-identity
/// limits (<see cref="LimitOverrides"/>).
/// </summary>
public sealed class GatewayContainment(InventoryService inventory, RevocationService revocation, MqttGateway gateway, LimitOverrides limits) : IContainmentActions
{
    /// <inheritdoc />
    public async Task<bool> QuarantineAsync(string deviceId, string reason, CancellationToken cancellationToken)
    {
        var device = await inventory.GetAsync(deviceId, cancellationToken);
        if (device.State != DeviceState.Active)
        {
            return false;
        }

        await inventory.QuarantineAsync(deviceId, reason, AlertService.Actor, cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> RevokeAsync(string deviceId, string reason, CancellationToken cancellationToken) =>
        revocation.RevokeSubjectAsync("device", deviceId, X509RevocationReason.KeyCompromise, AlertService.Actor, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DisconnectAsync(string deviceId, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(gateway.Broker.Disconnect(deviceId, MqttReasonCode.AdministrativeAction, reason));

    /// <inheritdoc />
    public Task<bool> TightenLimitsAsync(string deviceId, long alertId, string reason, CancellationToken cancellationToken) =>
        limits.TightenAsync(deviceId, alertId, reason, cancellationToken);
}
