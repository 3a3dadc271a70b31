using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;

namespace Rampart.Adapters.FrontDoors;

/// <summary>
/// What the MQTT gateway lends the front doors, so they share its state instead of copying it: the
/// broker, its options, the event tap, the traffic counters, each identity's limits (one budget per
/// device whichever door it uses) and the refusal recorder.
/// </summary>
public sealed record AdapterGateway(
    MqttBroker Broker,
    GatewayOptions Options,
    uint MaximumPacketSize,
    GatewayEventTap Events,
    TrafficCounters Traffic,
    IdentityLimitCache Limits,
    IFrontDoorRefusals Refusals);
