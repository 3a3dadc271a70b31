using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>The storage settings of a bench node: its own SQLite file, or a fresh PostgreSQL database.</summary>
internal static class BenchStorage
{
    /// <summary>No extra settings for sqlite; for postgres, the provider and a connection string (given, or a new database).</summary>
    public static async Task<IReadOnlyDictionary<string, string?>> SettingsAsync(string provider, string? connectionString) => provider switch
    {
        "sqlite" => new Dictionary<string, string?>(),
        "postgres" => new Dictionary<string, string?>
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = connectionString ?? await PostgresServer.NewDatabaseAsync(),
        },
        _ => throw new ArgumentException($"--provider: '{provider}' is not one of: sqlite, postgres"),
    };
}
