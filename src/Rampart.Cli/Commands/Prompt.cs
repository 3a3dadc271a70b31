using Rampart.Server.Admin;

namespace Rampart.Cli.Commands;

/// <summary>Asking the person at the terminal, or reading a secret from standard input for scripts.</summary>
internal static class Prompt
{
    public static string Secret(string label, bool fromStdin)
    {
        if (fromStdin || Console.IsInputRedirected)
        {
            return Console.In.ReadLine()?.TrimEnd('\r', '\n') is { Length: > 0 } line
                ? line
                : throw new AdminCommandException($"expected the {label} on standard input");
        }

        Console.Error.Write($"{label}: ");
        var secret = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return secret.ToString();
    }

    public static string Text(string label)
    {
        if (Console.IsInputRedirected)
        {
            throw new AdminCommandException($"{label} is required (no terminal to ask on)");
        }

        Console.Error.Write($"{label}: ");
        return Console.ReadLine()?.Trim() ?? string.Empty;
    }
}
