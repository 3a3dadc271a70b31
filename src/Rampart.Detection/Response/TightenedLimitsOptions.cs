using Rampart.Fleet.Gateway;

namespace Rampart.Detection.Response;

/// <summary>
/// What the "tighten limits" response lowers a device's publish limits to (section
/// <c>Rampart:Detection:Response:Tightened</c>). The defaults let a sensor keep reporting (a message a
/// second, 4 KiB/s) while an exfiltration or a flood is cut to a trickle; both are below the
/// gateway's defaults for every device (100 messages/s, 1 MiB/s), and the device is charged on both.
/// </summary>
public sealed class TightenedLimitsOptions
{
    /// <summary>Messages per second the device may publish while tightened; default 1.</summary>
    public double MessagesPerSecond { get; set; } = 1;

    /// <summary>The message bucket's size; default 5.</summary>
    public double MessageBurst { get; set; } = 5;

    /// <summary>Bytes per second (PUBLISH payload and topic) while tightened; default 4,096.</summary>
    public double BytesPerSecond { get; set; } = 4096;

    /// <summary>The byte bucket's size; default 16,384.</summary>
    public double ByteBurst { get; set; } = 16_384;

    /// <summary>The override the gateway applies.</summary>
    public LimitOverride ToOverride() => new(MessagesPerSecond, MessageBurst, BytesPerSecond, ByteBurst);
}
