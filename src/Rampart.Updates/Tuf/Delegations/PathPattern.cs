namespace Rampart.Updates.Tuf;

/// <summary>
/// A delegation's path pattern (§4.5 "PATHPATTERN"): the pattern and the target path are split at
/// <c>/</c>, must have as many segments, and each segment matches as in shell globbing (Python's
/// <c>fnmatch</c>, case-sensitive): <c>*</c> any run of characters, <c>?</c> one character,
/// <c>[abc]</c>, <c>[a-z]</c> and <c>[!abc]</c> one character of (or not of) a set. So
/// <c>targets/*.tgz</c> matches <c>targets/foo.tgz</c> but not <c>targets/sub/foo.tgz</c>, and
/// <c>*</c> never crosses a <c>/</c>.
/// </summary>
public static class PathPattern
{
    /// <summary>Longest pattern or path considered (a pattern is untrusted input; matching is bounded by it).</summary>
    public const int MaxLength = 4096;

    /// <summary>True when <paramref name="path"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string path)
    {
        if (pattern.Length > MaxLength || path.Length > MaxLength)
        {
            return false;
        }

        var patternParts = pattern.Split('/');
        var pathParts = path.Split('/');
        if (patternParts.Length != pathParts.Length)
        {
            return false;
        }

        for (var i = 0; i < patternParts.Length; i++)
        {
            if (!Segment(patternParts[i], pathParts[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Iterative glob with one backtrack point for the last '*': linear in practice, never exponential.
    private static bool Segment(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                (starP, starT) = (p++, t);
                continue;
            }

            if (p < pattern.Length && One(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }

            if (starP < 0)
            {
                return false;
            }

            // Let the last '*' take one more character and try again from there.
            p = starP + 1;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    // Matches one character at pattern[p] ('?', a set, or a literal); on success moves p past it.
    private static bool One(string pattern, ref int p, char c)
    {
        switch (pattern[p])
        {
            case '?':
                p++;
                return true;
            case '[' when SetEnd(pattern, p) is var end and > 0:
                if (!InSet(pattern, p + 1, end, c))
                {
                    return false;
                }

                p = end + 1;
                return true;
            default:
                if (pattern[p] != c)
                {
                    return false;
                }

                p++;
                return true;
        }
    }

    // The index of the ']' closing the set opened at pattern[open], or -1 when it is not closed ('[' is then literal).
    // As in fnmatch, a ']' right after '[' or '[!' belongs to the set.
    private static int SetEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '!')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        while (i < pattern.Length && pattern[i] != ']')
        {
            i++;
        }

        return i < pattern.Length ? i : -1;
    }

    private static bool InSet(string pattern, int start, int end, char c)
    {
        var negated = pattern[start] == '!';
        var i = negated ? start + 1 : start;
        var found = false;
        for (; i < end; i++)
        {
            if (i + 2 < end && pattern[i + 1] == '-')
            {
                found |= c >= pattern[i] && c <= pattern[i + 2];
                i += 2;
            }
            else
            {
                found |= c == pattern[i];
            }
        }

        return found != negated;
    }
}
