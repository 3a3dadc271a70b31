namespace Rampart.Adapters.Coap;

/// <summary>Limits of the CoAP-over-DTLS listener (section <c>Rampart:Adapters:Coap</c>).</summary>
public sealed class CoapListenerOptions
{
    /// <summary>Handshakes (after the cookie exchange) running at once on the node.</summary>
    public int MaxHandshakes { get; set; } = 64;

    /// <summary>Handshakes running at once from one address.</summary>
    public int MaxHandshakesPerSource { get; set; } = 4;

    /// <summary>Handshakes one address may start per minute (a token bucket with <see cref="HandshakeBurstPerSource"/>).</summary>
    public double HandshakesPerSourcePerMinute { get; set; } = 30;

    /// <summary>Handshakes one address may start at once before the per-minute rate applies.</summary>
    public double HandshakeBurstPerSource { get; set; } = 10;

    /// <summary>How long one handshake may take (RFC 6347 §4.2.4 retransmissions included).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Established DTLS sessions at once.</summary>
    public int MaxSessions { get; set; } = 20_000;

    /// <summary>A DTLS session without a datagram for this long is closed (the device handshakes again).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every problem with the settings.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxHandshakes < 1 || MaxHandshakesPerSource < 1 || MaxHandshakesPerSource > MaxHandshakes || MaxSessions < 1)
        {
            yield return "Adapters:Coap: MaxHandshakes, MaxHandshakesPerSource (at most MaxHandshakes) and MaxSessions must be positive";
        }

        if (HandshakesPerSourcePerMinute <= 0 || HandshakeBurstPerSource < 1)
        {
            yield return "Adapters:Coap: HandshakesPerSourcePerMinute must be positive and HandshakeBurstPerSource at least 1";
        }

        if (HandshakeTimeout <= TimeSpan.Zero || HandshakeTimeout > TimeSpan.FromMinutes(1) || SessionIdleTimeout <= TimeSpan.Zero)
        {
            yield return "Adapters:Coap: HandshakeTimeout must be up to 1 minute and SessionIdleTimeout positive";
        }
    }
}
