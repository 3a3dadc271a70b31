using System.Reflection;

namespace Rampart.Fleet.Operators.Passwords;

/// <summary>
/// What an operator password must be (NIST SP 800-63B §3.1.1.2): at least 12 characters, at most
/// 256, not a known default or common password, not the user name. No composition rules.
/// </summary>
public static class PasswordPolicy
{
    /// <summary>Shortest password accepted.</summary>
    public const int MinimumLength = 12;

    /// <summary>Longest password accepted (Argon2id hashes any length; this bounds the work).</summary>
    public const int MaximumLength = 256;

    private static readonly HashSet<string> _known = LoadKnown();

    /// <summary>True when the password is on the bundled default-credential or common-password lists.</summary>
    public static bool IsKnown(string password) => _known.Contains(password);

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public static string? Check(string? password, string userName)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinimumLength)
        {
            return $"a password needs at least {MinimumLength} characters";
        }

        if (password.Length > MaximumLength)
        {
            return $"a password may have at most {MaximumLength} characters";
        }

        if (IsKnown(password))
        {
            return "this password is on a list of default or commonly used passwords";
        }

        return password.Contains(userName, StringComparison.OrdinalIgnoreCase)
            ? "a password may not contain the user name"
            : null;
    }

    private static HashSet<string> LoadKnown()
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var assembly = typeof(PasswordPolicy).Assembly;
        foreach (var line in ReadLines(assembly, "default-credentials.tsv"))
        {
            // user<TAB>password<TAB>weight: both halves are credentials a botnet tries.
            var fields = line.Split('\t');
            known.Add(fields[0]);
            if (fields.Length > 1 && fields[1].Length > 0)
            {
                known.Add(fields[1]);
            }
        }

        foreach (var line in ReadLines(assembly, "common-passwords.txt"))
        {
            known.Add(line);
        }

        return known;
    }

    private static IEnumerable<string> ReadLines(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream("Rampart.Fleet.Operators.Passwords." + name)
            ?? throw new InvalidOperationException($"embedded password list {name} is missing");
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                lines.Add(line.TrimEnd('\r'));
            }
        }

        return lines;
    }
}
