using System.Security.Cryptography.X509Certificates;
using Rampart.Detection.Alerts;
using Rampart.Detection.Response;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
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

    /// <summary>
    /// Ends the sessions the device's own identity created (its principal, as its certificate proved it),
    /// never whatever session holds a client id equal to the device's id: a service's client id pattern
    /// (<c>ingest-*</c>) may match a device's id, and an alert on that device must not disconnect the service.
    /// </summary>
    public Task<bool> DisconnectAsync(string deviceId, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(gateway.Broker.EndSessions(ClientIdentity.PrincipalOf(ClientKind.Device, deviceId), _ => true, MqttReasonCode.AdministrativeAction, reason) > 0);

    /// <inheritdoc />
    public Task<bool> TightenLimitsAsync(string deviceId, long alertId, string reason, CancellationToken cancellationToken) =>
        limits.TightenAsync(deviceId, alertId, reason, cancellationToken);
}
