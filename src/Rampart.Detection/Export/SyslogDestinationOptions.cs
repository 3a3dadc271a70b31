using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>One syslog collector reached over TLS (RFC 5425). The server certificate must chain to <see cref="CaFile"/>.</summary>
public sealed class SyslogDestinationOptions
{
    /// <summary>The collector's host name or address.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The collector's port (RFC 5425 §4.1: 6514 is syslog over TLS).</summary>
    public int Port { get; set; } = 6514;

    /// <summary>The name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? ServerName { get; set; }

    /// <summary>PEM file of the CA(s) the collector's certificate must chain to (required: the system store is not trusted for this).</summary>
    public string CaFile { get; set; } = string.Empty;

    /// <summary>Optional PEM client certificate for collectors that authenticate senders (RFC 5425 §5.2).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>The syslog facility (RFC 5424 §6.2.1); 10 is security/authorization.</summary>
    public int Facility { get; set; } = 10;

    /// <summary>
    /// The private enterprise number in the SD-IDs (RFC 5424 §7.2.2). 32473 is the number IANA
    /// reserves for documentation (RFC 5612): replace it with your organisation's own.
    /// </summary>
    public int EnterpriseNumber { get; set; } = 32473;

    /// <summary>HOSTNAME field (RFC 5424 §6.2.4); defaults to the machine name.</summary>
    public string? Hostname { get; set; }

    /// <summary>Longest message sent (RFC 5425 §4.3.1: receivers must take 2048 octets and should take 8192); event details are left out past it.</summary>
    public int MaxMessageBytes { get; set; } = 8192;

    /// <summary>Events below this severity are not exported to this collector (checkpoints always are).</summary>
    public SecuritySeverity MinimumSeverity { get; set; } = SecuritySeverity.Info;

    /// <summary>
    /// How long a connection must stay open after records were written on it before they count as
    /// delivered (RFC 5425 has no receipt; a collector that went away closes the connection first).
    /// </summary>
    public TimeSpan ConfirmAfter { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Time allowed to connect and complete the TLS handshake, and for a batch to be written.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
