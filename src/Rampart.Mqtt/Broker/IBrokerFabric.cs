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
    /// <para>
    /// Returns null, or (a fabric that keeps QoS 1 and 2 messages durably, issue 15) a task that
    /// completes once the message is stored on the fabric: the broker acknowledges the client's PUBLISH
    /// (PUBACK, PUBREC) only after it, and closes the connection unacknowledged when it faults, so the
    /// client sends the message again (§4.4). The task must not be awaited on the caller's loop.
    /// </para>
    /// </summary>
    Task? OnPublished(MqttMessage message);

    /// <summary>
    /// True while the fabric's outbound queue is past half full (and moving). The publisher whose message
    /// (one <see cref="OnPublished"/> queued, not a durable one) found it so pauses before it reads its next packet, as for a congested local subscriber
    /// (docs/mqtt.md, "Slow and stuck subscribers"): the node then takes in what the fabric carries instead
    /// of reading messages only to drop them, and TCP pushes back on the devices. Read on every PUBLISH: cheap.
    /// </summary>
    bool Congested { get; }

    /// <summary>
    /// Completes once the outbound queue is down to a quarter, or after <paramref name="timeout"/>; a queue that
    /// did not move at all in that time counts as stuck (NATS unreachable), and <see cref="Congested"/> stays false
    /// until it moves again, so publishers are never held by a fabric that is not sending.
    /// </summary>
    ValueTask WaitForRoomAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// A local session added (<paramref name="added"/>) or lost one subscription to
    /// <paramref name="filter"/> (plain or <c>$share/G/F</c>); one call per session and filter, so the
    /// fabric can count interest per filter.
    /// </summary>
    void OnInterestChanged(string filter, bool added);

    /// <summary>A connection of <paramref name="principal"/> now holds the session <paramref name="clientId"/> on this node, since <paramref name="openedAt"/>.</summary>
    void OnSessionOpened(string clientId, string principal, DateTimeOffset openedAt);

    /// <summary>
    /// A session of <paramref name="owner"/> read back from the store was resumed here (a restart, or
    /// its device moved from another node): its state is what was written at <paramref name="writtenAt"/>,
    /// so a durable fabric hands back through <see cref="MqttBroker.DeliverReplayed"/> what reached its
    /// plain <paramref name="filters"/> since (what its old node received after its last write, or while no
    /// node held the session).
    /// </summary>
    void OnSessionResumed(string clientId, string owner, IReadOnlyList<string> filters, DateTimeOffset writtenAt);
}
