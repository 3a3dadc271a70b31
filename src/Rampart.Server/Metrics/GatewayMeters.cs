using System.Diagnostics.Metrics;
using Rampart.Server.Gateway;

namespace Rampart.Server.Metrics;

/// <summary>
/// Meters <c>Rampart.Gateway</c> and <c>Rampart.Broker</c>, read from the counters the gateway and the
/// broker keep anyway (observable instruments: nothing is added to the packet path).
/// </summary>
public sealed class GatewayMeters : IDisposable
{
    /// <summary>The gateway meter's name.</summary>
    public const string GatewayMeterName = "Rampart.Gateway";

    /// <summary>The broker meter's name.</summary>
    public const string BrokerMeterName = "Rampart.Broker";

    private readonly Meter _gateway;
    private readonly Meter _broker;

    /// <summary>Creates the instruments over <paramref name="mqtt"/>'s counters.</summary>
    public GatewayMeters(IMeterFactory meters, MqttGateway mqtt)
    {
        _gateway = meters.Create(GatewayMeterName);
        _gateway.CreateObservableGauge("rampart.gateway.connections", () => mqtt.Connections.Open, "{connection}", "Connections open on the MQTT listener (before and after TLS)");
        _gateway.CreateObservableGauge("rampart.gateway.clients", () => mqtt.Clients.Count, "{client}", "Authenticated MQTT clients");
        _gateway.CreateObservableCounter("rampart.gateway.refusals", () => mqtt.Refusals.Refused, "{refusal}", "Connections and packets refused before an identity");
        _gateway.CreateObservableCounter("rampart.gateway.refusals.unrecorded", () => mqtt.Refusals.Suppressed, "{refusal}", "Refusals beyond the recording budget (counted, not stored as events)");
        _gateway.CreateObservableCounter("rampart.gateway.events.dropped", () => mqtt.Events.Dropped, "{event}", "Gateway events the event tap dropped when its queue was full");
        _gateway.CreateObservableCounter("rampart.gateway.faults", () => mqtt.Faults, "{connection}", "Connections that ended with an unexpected error");
        _gateway.CreateObservableGauge("rampart.gateway.identities", () => mqtt.Limits.Count, "{identity}", "Identities whose limits are held in memory");

        _broker = meters.Create(BrokerMeterName);
        _broker.CreateObservableGauge("rampart.broker.connections", () => mqtt.Broker.ConnectionCount, "{connection}", "MQTT connections in the broker core");
        _broker.CreateObservableGauge("rampart.broker.sessions", () => mqtt.Broker.SessionCount, "{session}", "MQTT sessions (persistent ones included)");
        _broker.CreateObservableGauge("rampart.broker.retained", () => mqtt.Broker.RetainedCount, "{message}", "Retained messages");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gateway.Dispose();
        _broker.Dispose();
    }
}
