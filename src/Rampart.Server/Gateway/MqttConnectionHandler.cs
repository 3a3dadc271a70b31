using Microsoft.AspNetCore.Connections;

namespace Rampart.Server.Gateway;

/// <summary>Kestrel's entry to the gateway for the MQTT listener: Kestrel owns sockets and TLS, the broker owns MQTT.</summary>
public sealed class MqttConnectionHandler(MqttGateway gateway) : ConnectionHandler
{
    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection) => gateway.HandleAsync(connection);
}
