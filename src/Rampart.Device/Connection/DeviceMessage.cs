namespace Rampart.Device.Connection;

/// <summary>A message the gateway delivered to the device (a command or its configuration).</summary>
public sealed record DeviceMessage(string Topic, ReadOnlyMemory<byte> Payload);
