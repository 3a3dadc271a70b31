using System.Text;

namespace Rampart.Detection.Export;

/// <summary>The character rules of RFC 5424's header and structured data.</summary>
public static class SyslogFields
{
    /// <summary>RFC 5424 §6: PRINTUSASCII is %d33-126; NILVALUE is "-".</summary>
    public static bool IsPrintableAscii(string value, int maxLength) =>
        value.Length is > 0 && value.Length <= maxLength && value.All(c => c is >= '!' and <= '~');

    /// <summary>A header field (APP-NAME, MSGID, HOSTNAME): printable ASCII, cut to <paramref name="maxLength"/>, "-" when empty.</summary>
    public static string Header(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        foreach (var c in value)
        {
            if (builder.Length == maxLength)
            {
                break;
            }

            builder.Append(c is >= '!' and <= '~' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>
    /// An SD-NAME (RFC 5424 §6.3.3: 1 to 32 PRINTUSASCII except '=', SP, ']' and '"'): detail keys
    /// that break the rule have the offending characters replaced by '_' and are cut to 32.
    /// </summary>
    public static string SdName(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, 32));
        foreach (var c in name)
        {
            if (builder.Length == 32)
            {
                break;
            }

            builder.Append(c is >= '!' and <= '~' and not '=' and not ']' and not '"' ? c : '_');
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }

    /// <summary>RFC 5424 §6.3.3: in a PARAM-VALUE, '"', '\' and ']' are escaped with a backslash; the value is UTF-8.</summary>
    public static void AppendParamValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }
}
