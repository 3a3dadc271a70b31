using Microsoft.Extensions.Configuration;

namespace Rampart.Server.Hosting;

/// <summary>Builds node options from their sources in precedence order.</summary>
public static class NodeConfiguration
{
    /// <summary>Environment variable naming the data directory, as a shorthand for <c>RAMPART__DATADIRECTORY</c>.</summary>
    public const string DataEnvironmentVariable = "RAMPART_DATA";

    /// <summary>
    /// Environment variable naming a settings file, as <c>serve --config FILE</c> does: admin commands
    /// (<c>audit verify</c>, <c>setup-token</c> …) read it too, so a cluster node's one file serves both.
    /// </summary>
    public const string ConfigEnvironmentVariable = "RAMPART_CONFIG";

    /// <summary>
    /// Defaults, then <c>appsettings.json</c> in <paramref name="workingDirectory"/>, then the settings
    /// file <paramref name="configFile"/> (<c>serve --config FILE</c>, else <c>RAMPART_CONFIG</c>), then
    /// environment variables (<c>RAMPART__HTTPS</c> …, and <c>RAMPART_DATA</c>), then
    /// <paramref name="overrides"/> (the command line). The environment stays above the file so a
    /// secret (the database password) can live in a service's environment file while the rest of a
    /// cluster node's settings are shared in one file.
    /// </summary>
    public static IConfiguration Build(string workingDirectory, IReadOnlyDictionary<string, string?> overrides, string? configFile = null)
    {
        var environmentData = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        var settingsFile = SettingsFile.Resolve(workingDirectory,
            string.IsNullOrEmpty(configFile) ? Environment.GetEnvironmentVariable(ConfigEnvironmentVariable) : configFile);
        var builder = new ConfigurationBuilder()
            .SetBasePath(workingDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);
        if (settingsFile is not null)
        {
            builder.Add(settingsFile);
        }

        var configuration = builder
            .AddEnvironmentVariables()
            .AddInMemoryCollection(string.IsNullOrEmpty(environmentData)
                ? []
                : [new($"{NodeOptions.Section}:{nameof(NodeOptions.DataDirectory)}", environmentData)])
            .AddInMemoryCollection(overrides.Where(pair => pair.Value is not null)
                .Select(pair => new KeyValuePair<string, string?>($"{NodeOptions.Section}:{pair.Key}", pair.Value)))
            .Build();
        return configuration;
    }

    /// <summary>The <c>Rampart</c> section bound to <see cref="NodeOptions"/>.</summary>
    public static NodeOptions Bind(IConfiguration configuration)
    {
        var options = new NodeOptions();
        try
        {
            configuration.GetSection(NodeOptions.Section).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid settings in section '{NodeOptions.Section}': {exception.Message}", exception);
        }

        return options;
    }
}
