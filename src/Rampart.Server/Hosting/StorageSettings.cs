using Microsoft.Extensions.Configuration;
using Rampart.Storage;

namespace Rampart.Server.Hosting;

/// <summary>
/// <see cref="StorageOptions"/> and <see cref="ClusterOptions"/> after validation. The printed form
/// redacts the connection string (it carries the database password): a record's generated
/// ToString would put it into any log or exception message.
/// </summary>
public sealed record StorageSettings(string Provider, string? ConnectionString, IReadOnlyList<Uri> Nats)
{
    /// <summary>The default: the node's own SQLite file.</summary>
    public static StorageSettings Sqlite { get; } = new(StorageProviders.Sqlite, null, []);

    /// <summary>True for the shared PostgreSQL provider.</summary>
    public bool IsPostgres => Provider == StorageProviders.Postgres;

    /// <summary>Binds and checks both sections, collecting every problem into one <see cref="NodeStartupException"/>.</summary>
    public static StorageSettings From(IConfiguration configuration)
    {
        var storage = new StorageOptions();
        var cluster = new ClusterOptions();
        try
        {
            configuration.GetSection(StorageOptions.Section).Bind(storage);
            configuration.GetSection(ClusterOptions.Section).Bind(cluster);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid settings in section '{StorageOptions.Section}' or '{ClusterOptions.Section}': {exception.Message}", exception);
        }

        var problems = new List<string>();
        var provider = storage.Provider?.Trim().ToLowerInvariant() ?? string.Empty;
        if (!StorageProviders.All.Contains(provider))
        {
            problems.Add($"{StorageOptions.Section}:Provider: '{storage.Provider}' is not one of: {string.Join(", ", StorageProviders.All)}");
        }

        if (provider == StorageProviders.Postgres && string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            problems.Add($"{StorageOptions.Section}:ConnectionString: required for provider postgres (or set RAMPART__STORAGE__CONNECTIONSTRING)");
        }
        else if (provider == StorageProviders.Postgres && !ParsesAsConnectionString(storage.ConnectionString!, out var reason))
        {
            problems.Add($"{StorageOptions.Section}:ConnectionString: {reason}");
        }

        var nats = new List<Uri>();
        foreach (var url in (cluster.Nats ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "nats" or "tls" && uri.Host.Length > 0 && uri.UserInfo.Length == 0)
            {
                nats.Add(uri);
            }
            else
            {
                // Not echoed: a URL with user:password@ would print the password.
                problems.Add($"{ClusterOptions.Section}:Nats: each entry must be nats://HOST:PORT or tls://HOST:PORT without credentials");
            }
        }

        if (problems.Count > 0)
        {
            throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        return new StorageSettings(provider, provider == StorageProviders.Postgres ? storage.ConnectionString : null, nats);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"StorageSettings {{ Provider = {Provider}, ConnectionString = {(ConnectionString is null ? "none" : "redacted")}, Nats = [{string.Join(", ", Nats ?? [])}] }}";

    private static bool ParsesAsConnectionString(string connectionString, out string reason)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            reason = string.Empty;
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException)
        {
            // The builder names the keyword it refused, never the value.
            reason = $"does not parse ({exception.Message})";
            return false;
        }
    }
}
