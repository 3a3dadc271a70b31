using System.Security.Cryptography.X509Certificates;

namespace Rampart.Device.Connection;

/// <summary>How a device reaches its Rampart gateway.</summary>
public sealed class DeviceConnectionOptions
{
    /// <summary>The device id: its MQTT client id must be exactly this.</summary>
    public required string DeviceId { get; init; }

    /// <summary>Gateway host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>Gateway MQTT-over-TLS port.</summary>
    public int Port { get; init; } = 8883;

    /// <summary>The Rampart root CA: the only anchor the gateway's certificate is checked against.</summary>
    public required X509Certificate2 TrustedRoot { get; init; }

    /// <summary>Local address to connect from (a multi-homed device; the simulator's clones). Null: the system's choice.</summary>
    public System.Net.IPAddress? LocalAddress { get; init; }

    /// <summary>The name the gateway's certificate must carry.</summary>
    public string ServerName { get; init; } = "localhost";

    /// <summary>The device's certificate with its key, asked for at every connection (so a renewed one is used at once).</summary>
    public required Func<X509Certificate2> Certificate { get; init; }

    /// <summary>Keep-alive sent in CONNECT; the client pings at half of it.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the gateway keeps the session (subscriptions, queued QoS 1 commands) while the device is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First reconnect delay; it doubles per failure up to <see cref="MaximumReconnectDelay"/>, with full jitter.</summary>
    public TimeSpan InitialReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaximumReconnectDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a QoS 1 publish waits for its PUBACK across reconnects before it fails.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
