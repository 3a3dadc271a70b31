using Rampart.Detection.Response;
using Rampart.Fleet.Gateway;
using Rampart.Server.Gateway;

namespace Rampart.Server.Detection;

/// <summary>Tightened limits applied to the gateway's per-identity limits, which a device's live connections share.</summary>
public sealed class GatewayLiveLimits(MqttGateway gateway) : ILiveLimits
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Applied =>
        gateway.Limits.Overrides.Keys.Where(p => p.StartsWith(ClientIdentity.DevicePrefix, StringComparison.Ordinal)).Select(p => p[ClientIdentity.DevicePrefix.Length..]).ToArray();

    /// <inheritdoc />
    public void Apply(string deviceId, LimitOverride? limits) => gateway.Limits.SetOverride(ClientIdentity.PrincipalOf(ClientKind.Device, deviceId), limits);
}
