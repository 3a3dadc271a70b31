namespace Rampart.Detection.Export;

/// <summary>
/// Where security events, alerts and the audit log's signed checkpoints go (section
/// <c>Rampart:Export</c>). Destinations are keyed by name (<c>Rampart:Export:Syslog:siem:Host</c>);
/// the name is what the outbox, the metrics and <c>rampart export status</c> call them, so keep it
/// stable: renaming a destination starts it afresh.
/// </summary>
public sealed class ExportOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Export";

    /// <summary>Syslog collectors (RFC 5424 over TLS, RFC 5425), by name.</summary>
    public Dictionary<string, SyslogDestinationOptions> Syslog { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Webhook receivers (HTTPS POST, JSON, HMAC-SHA256 signed), by name.</summary>
    public Dictionary<string, WebhookDestinationOptions> Webhooks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The persisted queue in front of every destination.</summary>
    public OutboxOptions Outbox { get; set; } = new();

    /// <summary>True when at least one destination is configured.</summary>
    public bool Any => Syslog.Count > 0 || Webhooks.Count > 0;
}
