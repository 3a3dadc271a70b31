using System.Globalization;
using System.Text;

namespace Rampart.Detection.Tests.Export;

/// <summary>A syslog message as RFC 5424 §6 defines it, parsed back from the bytes a collector received.</summary>
internal sealed record Rfc5424Message(
    int Facility, int Severity, int Version, DateTimeOffset Timestamp, string Hostname, string AppName, string ProcId, string MsgId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> StructuredData, string? Message);

/// <summary>
/// A strict parser written from the RFC's ABNF (independent of the formatter under test): it refuses
/// what the grammar refuses (a bad PRI, an unescaped quote, an SD-NAME with '=') with a reason.
/// </summary>
internal static class Rfc5424Parser
{
    public static Rfc5424Message Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var i = 0;

        // PRI = "<" PRIVAL ">", PRIVAL 1*3DIGIT in 0..191; VERSION = NONZERO-DIGIT 0*2DIGIT.
        Expect(text, ref i, '<');
        var pri = int.Parse(Until(text, ref i, '>'), NumberStyles.None, CultureInfo.InvariantCulture);
        Expect(text, ref i, '>');
        if (pri > 191)
        {
            throw new FormatException($"PRI {pri} is above 191");
        }

        var version = int.Parse(Until(text, ref i, ' '), NumberStyles.None, CultureInfo.InvariantCulture);
        Expect(text, ref i, ' ');
        var timestamp = DateTimeOffset.Parse(Field(text, ref i, 64), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        var hostname = Field(text, ref i, 255);
        var appName = Field(text, ref i, 48);
        var procId = Field(text, ref i, 128);
        var msgId = Field(text, ref i, 32, last: true);
        Expect(text, ref i, ' ');

        var sd = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (text[i] == '-')
        {
            i++;
        }
        else
        {
            while (i < text.Length && text[i] == '[')
            {
                i++;
                var id = Name(text, ref i);
                var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
                while (text[i] == ' ')
                {
                    i++;
                    var name = Name(text, ref i);
                    Expect(text, ref i, '=');
                    Expect(text, ref i, '"');
                    parameters[name] = Value(text, ref i);
                }

                Expect(text, ref i, ']');
                if (!sd.TryAdd(id, parameters))
                {
                    throw new FormatException($"SD-ID {id} appears twice (RFC 5424 §6.3.2)");
                }
            }
        }

        string? message = null;
        if (i < text.Length)
        {
            Expect(text, ref i, ' ');
            message = text[i..].TrimStart('\uFEFF');
        }

        return new Rfc5424Message(pri / 8, pri % 8, version, timestamp, hostname, appName, procId, msgId, sd, message);
    }

    private static string Field(string text, ref int i, int maxLength, bool last = false)
    {
        var start = i;
        while (i < text.Length && text[i] != ' ')
        {
            if (text[i] is < '!' or > '~')
            {
                throw new FormatException($"header field at {start} holds a character outside PRINTUSASCII");
            }

            i++;
        }

        if (i - start is 0 || i - start > maxLength)
        {
            throw new FormatException($"header field at {start} is empty or longer than {maxLength}");
        }

        var value = text[start..i];
        if (!last)
        {
            Expect(text, ref i, ' ');
        }

        return value;
    }

    // SD-NAME = 1*32PRINTUSASCII except '=', SP, ']', '"'.
    private static string Name(string text, ref int i)
    {
        var start = i;
        while (text[i] is >= '!' and <= '~' and not '=' and not ']' and not '"' and not ' ')
        {
            i++;
        }

        return i - start is >= 1 and <= 32 ? text[start..i] : throw new FormatException($"SD-NAME at {start} is empty or longer than 32");
    }

    // PARAM-VALUE: '"', '\' and ']' MUST be escaped (§6.3.3).
    private static string Value(string text, ref int i)
    {
        var value = new StringBuilder();
        while (text[i] != '"')
        {
            if (text[i] == ']')
            {
                throw new FormatException($"unescaped ']' in PARAM-VALUE at {i}");
            }

            if (text[i] == '\\' && text[i + 1] is '"' or '\\' or ']')
            {
                i++;
            }

            value.Append(text[i++]);
        }

        i++;
        return value.ToString();
    }

    private static string Until(string text, ref int i, char end)
    {
        var start = i;
        while (i < text.Length && text[i] != end)
        {
            i++;
        }

        return text[start..i];
    }

    private static void Expect(string text, ref int i, char expected)
    {
        if (i >= text.Length || text[i] != expected)
        {
            throw new FormatException($"expected '{expected}' at {i}");
        }

        i++;
    }
}
