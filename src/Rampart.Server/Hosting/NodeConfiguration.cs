using Microsoft.Extensions.Configuration;

namespace Rampart.Server.Hosting;

/// <summary>Builds node options from their sources in precedence order.</summary>
public static class NodeConfiguration
{
    /// <summary>Environment variable naming the data directory, as a shorthand for <c>RAMPART__DATADIRECTORY</c>.</summary>
    public const string DataEnvironmentVariable = "RAMPART_DATA";

    /// <summary>
    /// Defaults, then <c>appsettings.json</c> in <paramref name="workingDirectory"/>, then environment
    /// variables (<c>RAMPART__HTTPS</c> …, and <c>RAMPART_DATA</c>), then <paramref name="overrides"/>
    /// (the command line).
    /// </summary>
    public static IConfiguration Build(string workingDirectory, IReadOnlyDictionary<string, string?> overrides)
    {
        var environmentData = Environment.GetEnvironmentVariable(DataEnvironmentVariable);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(workingDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
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
