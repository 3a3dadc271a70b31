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

    /// <summary>
    /// The TLS client: .NET's SslStream (default), or libssl directly (<see cref="DeviceTlsStack.OpenSsl"/>),
    /// which a key held in a TPM needs (<see cref="Identity.Tpm.TpmKeyStore"/>; docs/keys.md).
    /// </summary>
    public DeviceTlsStack TlsStack { get; init; } = DeviceTlsStack.SslStream;

    /// <summary>How long connecting and the TLS handshake may take with <see cref="DeviceTlsStack.OpenSsl"/> (a TPM that stops answering fails the connect, it does not hang it).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep-alive sent in CONNECT; the client pings at half of it.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the gateway keeps the session (subscriptions, queued QoS 1 commands) while the device is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First reconnect delay; it doubles per failure up to <see cref="MaximumReconnectDelay"/>, with full jitter.</summary>
    public TimeSpan InitialReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan MaximumReconnectDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a QoS 1 publish waits for its PUBACK across reconnects before it fails.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first setting out of range, so a bad value
    /// fails when the client is made, not later inside its connection loop (a zero keep-alive made
    /// the ping timer throw there).
    /// </summary>
    internal void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(DeviceId), nameof(DeviceId), "is required");
        Require(!string.IsNullOrWhiteSpace(Host), nameof(Host), "is required");
        Require(Port is >= 1 and <= 65535, nameof(Port), $"must be 1 to 65535 (it is {Port})");

        // MQTT 5.0 §3.1.2.10: the keep alive is a two-byte number of seconds; the client pings at half of it.
        Require(KeepAlive >= TimeSpan.FromSeconds(2) && KeepAlive.TotalSeconds <= ushort.MaxValue, nameof(KeepAlive), $"must be 2 s to {ushort.MaxValue} s (it is {KeepAlive})");

        // MQTT 5.0 §3.1.2.11.2: a four-byte number of seconds.
        Require(SessionExpiry >= TimeSpan.Zero && SessionExpiry.TotalSeconds <= uint.MaxValue, nameof(SessionExpiry), $"must be 0 to {uint.MaxValue} s (it is {SessionExpiry})");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), $"must be above 0 (it is {ConnectTimeout})");
        Require(InitialReconnectDelay > TimeSpan.Zero, nameof(InitialReconnectDelay), $"must be above 0 (it is {InitialReconnectDelay})");
        Require(MaximumReconnectDelay >= InitialReconnectDelay, nameof(MaximumReconnectDelay), $"must not be shorter than InitialReconnectDelay (it is {MaximumReconnectDelay})");
        Require(PublishTimeout > TimeSpan.Zero, nameof(PublishTimeout), $"must be above 0 (it is {PublishTimeout})");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"DeviceConnectionOptions.{name} {problem}", name);
        }
    }
}
