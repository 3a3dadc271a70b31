namespace Rampart.Adapters.FrontDoors;

/// <summary>Settings of the front doors beside MQTT (section <c>Rampart:Adapters</c>).</summary>
public sealed class AdapterOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Rampart:Adapters";

    /// <summary>Largest message body a device may send through a front door (telemetry); larger ones are refused with 413 / 4.13.</summary>
    public int MaxPayloadBytes { get; set; } = 64 * 1024;

    /// <summary>Longest topic suffix after <c>devices/{id}/telemetry/</c>.</summary>
    public int MaxSuffixLength { get; set; } = 128;

    /// <summary>Longest a long poll for commands may wait.</summary>
    public TimeSpan MaxCommandWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A device's broker link closes after this long without a request (its session stays for <see cref="SessionExpiry"/>).</summary>
    public TimeSpan LinkIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the broker keeps a front-door device's session (and queued commands) after its link closed.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most broker links open at once across all front doors.</summary>
    public int MaxLinks { get; set; } = 20_000;

    /// <summary>Commands kept per device when its link closed before the device collected them (<see cref="Links.HeldCommands"/>).</summary>
    public int HeldCommandsPerDevice { get; set; } = 64;

    /// <summary>Most devices with held commands at once.</summary>
    public int HeldCommandDevices { get; set; } = 20_000;

    /// <summary>How long a held command waits for its device's next link (a poll or an observation) before it is dropped.</summary>
    public TimeSpan HeldCommandExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Legacy devices: messages per second (tighter than <c>Gateway:DeviceMessagesPerSecond</c>).</summary>
    public double LegacyMessagesPerSecond { get; set; } = 1;

    /// <summary>Legacy devices: message burst.</summary>
    public double LegacyMessageBurst { get; set; } = 5;

    /// <summary>Legacy devices: bytes per second.</summary>
    public double LegacyBytesPerSecond { get; set; } = 4 * 1024;

    /// <summary>Legacy devices: byte burst.</summary>
    public double LegacyByteBurst { get; set; } = 16 * 1024;

    /// <summary>Legacy devices: largest message body.</summary>
    public int LegacyMaxPayloadBytes { get; set; } = 4 * 1024;

    /// <summary>Every problem with the settings, each naming its setting.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxPayloadBytes is < 1 or > 1024 * 1024)
        {
            yield return "Adapters:MaxPayloadBytes must be 1 to 1048576";
        }

        if (LegacyMaxPayloadBytes < 1 || LegacyMaxPayloadBytes > MaxPayloadBytes)
        {
            yield return "Adapters:LegacyMaxPayloadBytes must be 1 to MaxPayloadBytes";
        }

        if (MaxSuffixLength is < 1 or > 200)
        {
            yield return "Adapters:MaxSuffixLength must be 1 to 200";
        }

        if (MaxCommandWait <= TimeSpan.Zero || MaxCommandWait > TimeSpan.FromMinutes(5))
        {
            yield return "Adapters:MaxCommandWait must be between 0 and 5 minutes";
        }

        if (LinkIdleTimeout <= TimeSpan.Zero || SessionExpiry <= TimeSpan.Zero || MaxLinks < 1)
        {
            yield return "Adapters:LinkIdleTimeout, SessionExpiry and MaxLinks must be positive";
        }

        if (HeldCommandsPerDevice < 1 || HeldCommandsPerDevice > Links.BrokerLink.CommandBuffer || HeldCommandDevices < 1 || HeldCommandExpiry <= TimeSpan.Zero)
        {
            yield return $"Adapters:HeldCommandsPerDevice must be 1 to {Links.BrokerLink.CommandBuffer}, HeldCommandDevices and HeldCommandExpiry positive";
        }

        if (LegacyMessagesPerSecond <= 0 || LegacyMessageBurst < 1 || LegacyBytesPerSecond <= 0 || LegacyByteBurst < LegacyMaxPayloadBytes)
        {
            yield return "Adapters:Legacy* limits must be positive, and LegacyByteBurst at least LegacyMaxPayloadBytes";
        }
    }
}
