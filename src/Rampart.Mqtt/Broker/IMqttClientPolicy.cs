using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// What the broker asks of its host about one connection: may it publish or subscribe, is it within
/// its limits, and what happened to it. The broker knows nothing of certificates or devices; the
/// gateway implements this for each identity. Called from the connection's own loop, except
/// <see cref="OnDelivered"/>, which publishers' loops call concurrently.
/// </summary>
public interface IMqttClientPolicy
{
    /// <summary>
    /// The authenticated identity the connection acts for (<c>device:d1</c>). A session belongs to the
    /// principal that created it: it resumes only for that principal, and every message the
    /// connection publishes carries it (<see cref="MqttMessage.Publisher"/>).
    /// </summary>
    string Principal { get; }

    /// <summary>
    /// The last word before the connection goes live, asked under the broker's session lock right
    /// before the session is bound and CONNACK is queued: a revocation that arrived after the CONNECT
    /// decision refuses it here, and one that arrives later finds the session registered.
    /// </summary>
    Admission AuthorizeSession();

    /// <summary>Decides an incoming PUBLISH of <paramref name="bytes"/> payload bytes: permissions first, then rate limits.</summary>
    Admission AuthorizePublish(string topic, int bytes);

    /// <summary>Decides one filter of a SUBSCRIBE.</summary>
    Admission AuthorizeSubscribe(string filter);

    /// <summary>True while a held subscription is still permitted (asked again after permissions change).</summary>
    bool MayKeepSubscription(string filter);

    /// <summary>The CONNACK was sent; <paramref name="tookOverFrom"/> is the remote address of a connection this one replaced.</summary>
    void OnConnected(bool sessionPresent, string? tookOverFrom);

    /// <summary>A message of <paramref name="bytes"/> payload bytes was queued to this client.</summary>
    void OnDelivered(int bytes);

    /// <summary>A message for this client was dropped (queue full, too large for it, expired).</summary>
    void OnDropped(string reason);

    /// <summary>The connection ended; called once.</summary>
    void OnClosed(MqttReasonCode reason, string detail);
}

/// <summary>How the broker answers a request a policy judged.</summary>
public enum Verdict
{
    /// <summary>Go ahead.</summary>
    Allow,

    /// <summary>Refuse this one request with <see cref="Admission.Code"/> and carry on.</summary>
    Deny,

    /// <summary>Refuse and end the connection with <see cref="Admission.Code"/>.</summary>
    Disconnect,
}

/// <summary>A policy's answer and the reason code that goes with it.</summary>
public readonly record struct Admission(Verdict Verdict, MqttReasonCode Code, string? Reason = null)
{
    public static Admission Allowed { get; } = new(Verdict.Allow, MqttReasonCode.Success);

    public static Admission Deny(MqttReasonCode code, string reason) => new(Verdict.Deny, code, reason);

    public static Admission Disconnect(MqttReasonCode code, string reason) => new(Verdict.Disconnect, code, reason);
}

/// <summary>The host's answer to a CONNECT: accept with a policy, or refuse with a reason code (5.0 §3.2.2.2).</summary>
public sealed record ConnectDecision(IMqttClientPolicy? Policy, MqttReasonCode Code, string? Reason)
{
    /// <summary>
    /// The client id the host assigns to a CONNECT with an empty one (5.0 §3.2.2.3.7: sent back as the
    /// Assigned Client Identifier); without it the broker makes one up. Ignored when the client gave an id.
    /// </summary>
    public string? AssignedClientId { get; init; }

    public static ConnectDecision Accept(IMqttClientPolicy policy, string? assignedClientId = null) =>
        new(policy, MqttReasonCode.Success, null) { AssignedClientId = assignedClientId };

    public static ConnectDecision Refuse(MqttReasonCode code, string reason) => new(null, code, reason);
}
