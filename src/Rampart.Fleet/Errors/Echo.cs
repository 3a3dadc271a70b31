using System.Globalization;
using System.Text;

namespace Rampart.Fleet.Errors;

/// <summary>
/// How Rampart quotes what a caller sent back to them (in a refusal) or to a terminal: short and
/// inert. A refusal echoes at most <see cref="MaxLength"/> characters of a value, then "…", so a
/// 100 kB id is not sent back; control characters (ESC, CR, BEL, the C1 range) and invisible
/// formatting characters (bidirectional overrides) become <c>\uXXXX</c>, so an escape sequence in a
/// request cannot move a cursor, recolour or rewrite what an operator's terminal shows.
/// </summary>
public static class Echo
{
    /// <summary>Most characters of a value a refusal quotes.</summary>
    public const int MaxLength = 64;

    /// <summary>The value as a refusal quotes it: capped at <see cref="MaxLength"/> characters, then made inert.</summary>
    public static string Of(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        if (value.Length <= MaxLength)
        {
            return Inert(value);
        }

        // Never cut a surrogate pair in half.
        var cut = char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return Inert(value[..cut]) + "…";
    }

    /// <summary>
    /// The text with every control and invisible formatting character written as <c>\uXXXX</c>;
    /// with <paramref name="keepLineBreaks"/>, <c>\n</c> and <c>\t</c> stay (for whole messages).
    /// </summary>
    public static string Inert(string text, bool keepLineBreaks = false)
    {
        var first = IndexOfUnsafe(text, keepLineBreaks);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (IsUnsafe(c, keepLineBreaks))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static int IndexOfUnsafe(string text, bool keepLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i], keepLineBreaks))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(char c, bool keepLineBreaks) =>
        !(keepLineBreaks && c is '\n' or '\t')
        && (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
}
