namespace Rampart.Server.Gateway.Tls;

/// <summary>Which TLS stack serves the MQTT listener (setting <c>Rampart:Gateway:Tls:Implementation</c>).</summary>
public enum MqttTlsImplementation
{
    /// <summary>
    /// Rampart's adapter over the platform's libssl 3 (memory BIOs, record buffers released while
    /// idle, a verified-certificate cache): ~4× less memory per idle connection and a cheaper reconnect.
    /// </summary>
    OpenSsl,

    /// <summary>.NET's SslStream through Kestrel's HTTPS middleware (the fallback; same policy).</summary>
    SslStream,
}

/// <summary>The MQTT listener's TLS settings (section <c>Rampart:Gateway:Tls</c>). The policy itself (versions, suites, groups, client certificate) is fixed in code.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>The TLS stack; <see cref="MqttTlsImplementation.OpenSsl"/> by default, falling back to SslStream where libssl.so.3 cannot be loaded.</summary>
    public MqttTlsImplementation Implementation { get; set; } = MqttTlsImplementation.OpenSsl;

    /// <summary>Client certificates whose chain to this CA was verified and remembered (by SHA-256), so a reconnect skips the chain build; least recently used ones are forgotten. 0 turns the cache off.</summary>
    public int VerifiedCertificateCacheSize { get; set; } = 100_000;

    /// <summary>Checks the settings; returns every problem.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Enum.IsDefined(Implementation))
        {
            yield return "Gateway:Tls: Implementation must be OpenSsl or SslStream";
        }

        if (VerifiedCertificateCacheSize < 0)
        {
            yield return "Gateway:Tls: VerifiedCertificateCacheSize must be 0 or more";
        }
    }
}
