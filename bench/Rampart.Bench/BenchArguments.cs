using System.Globalization;

namespace Rampart.Bench;

/// <summary><c>--name value</c> pairs with defaults.</summary>
internal sealed class BenchArguments(string[] args)
{
    public bool Flag(string name) => Array.IndexOf(args, "--" + name) >= 0;

    public string? String(string name)
    {
        var index = Array.IndexOf(args, "--" + name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public int Int(string name, int fallback)
    {
        var index = Array.IndexOf(args, "--" + name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
