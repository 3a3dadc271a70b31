using System.CommandLine;
using Rampart.Server.Hosting;

namespace Rampart.Cli.Commands;

/// <summary>Options shared by commands, and how they resolve.</summary>
internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = $"The node's data directory (default: ${NodeConfiguration.DataEnvironmentVariable} or ./rampart-data)",
        HelpName = "DIR",
    };

    /// <summary>The data directory an admin command works on: --data, then the same sources <c>serve</c> reads.</summary>
    public static string ResolveData(string? data) =>
        Path.GetFullPath(data ?? NodeConfiguration.Bind(NodeConfiguration.Build(Directory.GetCurrentDirectory(), new Dictionary<string, string?>())).DataDirectory);

    /// <summary>
    /// The storage provider an admin command works on: the same settings <c>serve</c> reads
    /// (<c>appsettings.json</c> section <c>Rampart:Storage</c>, <c>RAMPART__STORAGE__PROVIDER</c>,
    /// <c>RAMPART__STORAGE__CONNECTIONSTRING</c>).
    /// </summary>
    public static StorageSettings ResolveStorage() =>
        StorageSettings.From(NodeConfiguration.Build(Directory.GetCurrentDirectory(), new Dictionary<string, string?>()));
}
