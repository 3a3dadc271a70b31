namespace Rampart.Adapters.FrontDoors;

/// <summary>The front doors a device can come through besides MQTT; each message carries its name (<see cref="Marks"/>).</summary>
public static class FrontDoorNames
{
    /// <summary>The HTTPS device API with a device certificate (mutual TLS).</summary>
    public const string Https = "https";

    /// <summary>CoAP over DTLS 1.2, with a device certificate or a per-device PSK.</summary>
    public const string Coap = "coap";

    /// <summary>The one adapter legacy devices may use: HTTPS with a per-device secret, telemetry only.</summary>
    public const string Legacy = "legacy-https";
}
