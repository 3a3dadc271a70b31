using System.Net.Security;

namespace Rampart.Server.Tls;

/// <summary>
/// What the MQTT listener adds to <see cref="TlsPolicy"/>: its own ALPN ids. Kestrel fills
/// <see cref="SslServerAuthenticationOptions.ApplicationProtocols"/> from the listener's HTTP
/// protocols (h2, http/1.1) before <c>OnAuthenticate</c> runs; on the MQTT port those are wrong —
/// a client offering the registered id <c>mqtt</c> was refused with no_application_protocol (alert
/// 120, RFC 7301 §3.2) and HTTP clients were told the port speaks HTTP. Here the server offers only
/// MQTT ids; a client that sends no ALPN extension is unaffected (RFC 7301 §3.1).
/// </summary>
public static class MqttTls
{
    /// <summary>
    /// <c>mqtt</c> (IANA TLS ALPN registry, MQTT) and <c>x-amzn-mqtt-ca</c> (what AWS IoT device SDKs
    /// send to reach MQTT with a client certificate on 443), in the server's order of preference.
    /// </summary>
    public static IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } =
    [
        new SslApplicationProtocol("mqtt"),
        new SslApplicationProtocol("x-amzn-mqtt-ca"),
    ];

    /// <summary>Replaces the HTTP ALPN ids Kestrel set with the MQTT ones.</summary>
    public static void Apply(SslServerAuthenticationOptions options) => options.ApplicationProtocols = [.. ApplicationProtocols];
}
