using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>
/// One webhook receiver: every record is POSTed as JSON over HTTPS, signed with HMAC-SHA256 over
/// timestamp and body. <c>http://</c> is refused: the body carries device ids and addresses, and the
/// signature protects integrity, not confidentiality.
/// </summary>
public sealed class WebhookDestinationOptions
{
    /// <summary>The receiver's <c>https://</c> address.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The shared HMAC key (at least 32 characters). Never logged, never shown by <c>export status</c>.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Optional PEM file of the CA the receiver's certificate must chain to instead of the system store.</summary>
    public string? CaFile { get; set; }

    /// <summary>Time allowed for one request, connection and TLS handshake included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest body sent; event details are left out past it (the record says so).</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Events below this severity are not sent to this receiver (checkpoints always are).</summary>
    public SecuritySeverity MinimumSeverity { get; set; } = SecuritySeverity.Info;

    /// <inheritdoc />
    public override string ToString() => $"webhook {Url} (secret redacted)";
}
