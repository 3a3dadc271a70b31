namespace Rampart.Mqtt.Broker;

/// <summary>
/// What joins a broker to the brokers of other nodes (issue 15, "MQTT across nodes"). The broker
/// tells it what happens locally; the fabric hands messages from other nodes back through
/// <see cref="MqttBroker.DeliverRemote"/>, <see cref="MqttBroker.DeliverRemoteShared"/> and
/// <see cref="MqttBroker.CloseTakenOver"/>. The broker knows nothing of the transport.
/// Every call comes from a publisher's or connection's loop (interest changes under the broker's
/// subscription lock, in order): implementations must be quick, never block and never throw.
/// </summary>
public interface IBrokerFabric
{
    /// <summary>
    /// A message was routed on this node: published by a local client (after its policy allowed
    /// it), a will, or the server's own. Messages from other nodes are not reported back.
    /// </summary>
    void OnPublished(MqttMessage message);

    /// <summary>
    /// A local session added (<paramref name="added"/>) or lost one subscription to
    /// <paramref name="filter"/> (plain or <c>$share/G/F</c>); one call per session and filter, so the
    /// fabric can count interest per filter.
    /// </summary>
    void OnInterestChanged(string filter, bool added);

    /// <summary>A connection of <paramref name="principal"/> now holds the session <paramref name="clientId"/> on this node, since <paramref name="openedAt"/>.</summary>
    void OnSessionOpened(string clientId, string principal, DateTimeOffset openedAt);
}
