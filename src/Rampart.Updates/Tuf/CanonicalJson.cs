using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>
/// The canonical JSON TUF signs (securesystemslib's form of OLPC canonical JSON): object keys sorted
/// (ordinal; TUF metadata keys are ASCII), no whitespace, strings with only <c>\</c> and <c>"</c>
/// escaped, integers only.
/// Anything else (a fractional number) is refused: two encoders must produce the same bytes.
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical bytes of <paramref name="node"/>.</summary>
    public static byte[] Encode(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    String(builder, key);
                    builder.Append(':');
                    Write(builder, value);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Write(builder, array[i]);
                }

                builder.Append(']');
                break;
            case JsonValue value:
                WriteValue(builder, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder builder, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                String(builder, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Null:
                builder.Append("null");
                break;
            case JsonValueKind.Number when long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer):
                // Whatever .NET type holds it, an integer is written as its plain decimal digits.
                builder.Append(integer.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"canonical JSON allows integers only, not {value.ToJsonString()}");
        }
    }

    private static void String(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }
}
