using System.Text;

namespace Rampart.Updates.Tuf;

/// <summary>Role names and the file names they are stored and fetched under.</summary>
public static class RoleNames
{
    /// <summary>The top-level roles (§2.1); no delegated role may take one of these names.</summary>
    public static readonly IReadOnlySet<string> TopLevel = new HashSet<string>(["root", "timestamp", "snapshot", "targets"], StringComparer.Ordinal);

    /// <summary>
    /// A role name as one URL path segment and file name: every byte of its UTF-8 form except
    /// <c>A–Z a–z 0–9 _ . - ~</c> percent-encoded in upper-case hex (what the reference client does,
    /// so a delegated role named <c>a/b</c> or <c>..</c> cannot leave its directory).
    /// </summary>
    public static string Escape(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
