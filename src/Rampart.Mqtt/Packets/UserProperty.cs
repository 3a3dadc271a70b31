namespace Rampart.Mqtt.Packets;

/// <summary>An MQTT 5.0 user property: a UTF-8 name and value (§3.1.2.11.8); may repeat, order kept.</summary>
public sealed record UserProperty(string Name, string Value);
