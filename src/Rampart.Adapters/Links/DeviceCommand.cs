namespace Rampart.Adapters.Links;

/// <summary>A command the broker delivered to a device's link: its topic, the part after <c>devices/{id}/commands/</c>, and the payload.</summary>
public sealed record DeviceCommand(string Topic, string Name, ReadOnlyMemory<byte> Payload);
