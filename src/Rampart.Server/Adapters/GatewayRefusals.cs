using Rampart.Adapters.FrontDoors;
using Rampart.Server.Gateway;

namespace Rampart.Server.Adapters;

/// <summary>The front doors' refusals go to the MQTT gateway's recorder: one budget, the same <c>gateway.refused</c> events.</summary>
internal sealed class GatewayRefusals(MqttGateway gateway) : IFrontDoorRefusals
{
    /// <inheritdoc />
    public void Record(string source, string reason, string detail, string? serial = null, string? clientId = null, string? deviceId = null) =>
        gateway.Refusals.Record(source, reason, detail, serial, clientId, deviceId);
}
