using System.Globalization;
using System.Text;

namespace Rampart.WebConsole.Common;

/// <summary>What the console flags in untrusted text (Unicode TR #9 and TR #36: bidi controls and invisible format characters).</summary>
public static class UntrustedText
{
    /// <summary>True when <paramref name="text"/> holds a control, format (bidi overrides, zero-width) or other invisible character.</summary>
    public static bool HasHiddenCharacters(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned)
            {
                return true;
            }
        }

        return false;
    }
}
