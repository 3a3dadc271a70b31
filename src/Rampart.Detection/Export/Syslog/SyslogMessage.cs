using System.Globalization;
using System.Text;

namespace Rampart.Detection.Export;

/// <summary>
/// Formats an <see cref="ExportRecord"/> as one RFC 5424 message:
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME rampart PROCID MSGID [rampart@PEN …][details@PEN …] BOM text</c>.
/// </summary>
public sealed class SyslogMessage(SyslogDestinationOptions options, string hostname, int processId)
{
    /// <summary>RFC 5424 §6.4: a UTF-8 MSG starts with the byte order mark.</summary>
    private const string Bom = "\uFEFF";

    private readonly string _hostname = SyslogFields.Header(options.Hostname ?? hostname, 255);
    private readonly string _event = "rampart@" + options.EnterpriseNumber.ToString(CultureInfo.InvariantCulture);
    private readonly string _details = "details@" + options.EnterpriseNumber.ToString(CultureInfo.InvariantCulture);

    /// <summary>The SD-ID of the element with the record's fixed fields.</summary>
    public string EventSdId => _event;

    /// <summary>The SD-ID of the element with the record's details (one PARAM per detail).</summary>
    public string DetailsSdId => _details;

    /// <summary>The message's UTF-8 bytes, at most <see cref="SyslogDestinationOptions.MaxMessageBytes"/> (details are left out past it).</summary>
    public byte[] Format(ExportRecord record)
    {
        var bytes = Encoding.UTF8.GetBytes(Build(record, withDetails: true));
        return bytes.Length <= options.MaxMessageBytes ? bytes : Encoding.UTF8.GetBytes(Build(record with { Truncated = true }, withDetails: false));
    }

    private string Build(ExportRecord record, bool withDetails)
    {
        // RFC 5424 §6.2.1: PRI = facility * 8 + severity.
        var pri = options.Facility * 8 + SeverityOf(record.Severity);
        var builder = new StringBuilder(512)
            .Append('<').Append(pri.ToString(CultureInfo.InvariantCulture)).Append(">1 ")

            // §6.2.3: RFC 3339 time, UTC, at most 6 fractional digits.
            .Append(record.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(_hostname).Append(' ')
            .Append("rampart ")
            .Append(processId.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(SyslogFields.Header(record.Kind, 32)).Append(' ');

        builder.Append('[').Append(_event);
        Param(builder, "id", record.Id);
        Param(builder, "type", record.Type);
        Param(builder, "kind", record.Kind);
        Param(builder, "severity", record.Severity);
        Param(builder, "device", record.DeviceId);
        Param(builder, "source", record.Source);
        if (record.Truncated)
        {
            Param(builder, "truncated", "true");
        }

        builder.Append(']');
        if (withDetails && record.Details.Count > 0)
        {
            builder.Append('[').Append(_details);
            foreach (var (key, value) in record.Details.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                Param(builder, SyslogFields.SdName(key), value);
            }

            builder.Append(']');
        }

        builder.Append(' ').Append(Bom).Append(record.Kind);
        if (record.DeviceId is not null)
        {
            builder.Append(" device=").Append(record.DeviceId);
        }

        return builder.ToString();
    }

    private static void Param(StringBuilder builder, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        builder.Append(' ').Append(name).Append("=\"");
        SyslogFields.AppendParamValue(builder, value);
        builder.Append('"');
    }

    // RFC 5424 §6.2.1 table 2: 2 critical, 4 warning, 5 notice, 6 informational.
    private static int SeverityOf(string severity) => severity switch
    {
        "high" => 2,
        "warning" => 4,
        _ => 6,
    };
}
