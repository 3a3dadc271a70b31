namespace Rampart.Adapters.Links;

/// <summary>A command the broker delivered to a device's link: its topic, the part after <c>devices/{id}/commands/</c>, and the payload.</summary>
public sealed record DeviceCommand(string Topic, string Name, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Its row in the held-commands store while it waits in an open link's buffer (write-through); null when it has none.</summary>
    public HeldMark? Held { get; init; }
}

/// <summary>A held command's row: its per-device sequence and expiry (both must match to claim it, so a reused sequence is never claimed by mistake).</summary>
public readonly record struct HeldMark(long Seq, long ExpiresMs);
