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

    /// <summary>Command notifications are sent confirmable (CON, retransmitted until acknowledged); false sends them NON with every <see cref="ConfirmableEvery"/>-th one CON (RFC 7641 §4.5).</summary>
    public bool ConfirmableNotifications { get; set; } = true;

    /// <summary>With NON notifications, every this many is sent CON to learn whether the observer is still there.</summary>
    public int ConfirmableEvery { get; set; } = 10;

    /// <summary>RFC 7252 §4.8 ACK_TIMEOUT: the first wait for an acknowledgement.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>RFC 7252 §4.8 ACK_RANDOM_FACTOR.</summary>
    public double AckRandomFactor { get; set; } = 1.5;

    /// <summary>RFC 7252 §4.8 MAX_RETRANSMIT: an observer that acknowledges none of these is removed.</summary>
    public int MaxRetransmit { get; set; } = 4;

    /// <summary>Largest block of a block-wise transfer (RFC 7959): a power of two from 16 to 1024; a client may ask for smaller.</summary>
    public int BlockSize { get; set; } = 512;

    /// <summary>A Block1 upload with no block for this long is forgotten.</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(1);

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

        if (ConfirmableEvery < 1 || AckTimeout <= TimeSpan.Zero || AckTimeout > TimeSpan.FromMinutes(1) || AckRandomFactor < 1 || MaxRetransmit is < 0 or > 10)
        {
            yield return "Adapters:Coap: ConfirmableEvery must be positive, AckTimeout up to 1 minute, AckRandomFactor at least 1 and MaxRetransmit 0 to 10";
        }

        if (BlockSize is < 16 or > 1024 || (BlockSize & (BlockSize - 1)) != 0 || UploadTimeout <= TimeSpan.Zero)
        {
            yield return "Adapters:Coap: BlockSize must be a power of two from 16 to 1024 and UploadTimeout positive";
        }
    }
}
