using System.Data.Common;
using Npgsql;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Postgres;

/// <summary>
/// The cluster's PostgreSQL database, shared by every node (issue 15). Connections come from one
/// pool per process; every session runs with <c>synchronous_commit = on</c> forced by the client
/// (whatever the server's default), so a transaction that returned is in the server's WAL on disk
/// (and on the synchronous standbys when the server is configured with them).
/// </summary>
public sealed class PostgresDatabase : IStoreDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    /// <summary>A pool over <paramref name="connectionString"/>; with <paramref name="readOnly"/> every transaction is read-only (as <c>audit verify</c> needs).</summary>
    public PostgresDatabase(string connectionString, bool readOnly = false)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            // The message names the keyword that did not parse, never the string (it holds the password).
            throw new ArgumentException($"Rampart:Storage:ConnectionString does not parse: {exception.Message}", nameof(connectionString));
        }

        var options = settings.Options is { Length: > 0 } given ? given + " " : string.Empty;
        settings.Options = options + "-c synchronous_commit=on" + (readOnly ? " -c default_transaction_read_only=on" : string.Empty);
        settings.ApplicationName ??= "rampart";
        ReadOnly = readOnly;
        Target = $"postgres://{settings.Host}:{settings.Port}/{settings.Database}";
        _source = new NpgsqlDataSourceBuilder(settings.ConnectionString).Build();
    }

    /// <summary>Host, port and database, for messages: never the user name or password.</summary>
    public string Target { get; }

    /// <summary>True when every transaction is read-only.</summary>
    public bool ReadOnly { get; }

    /// <inheritdoc />
    public ISqlDialect Dialect => PostgresDialect.Instance;

    /// <inheritdoc />
    async Task<DbConnection> IStoreDatabase.OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IAuditTransaction> BeginAuditAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await PostgresStoreTransaction.BeginAsync(this, now, cancellationToken);

    /// <summary>An open connection from the pool.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => _source.OpenConnectionAsync(cancellationToken);

    /// <summary>True when a trivial query answers within the caller's deadline: what <c>/readyz</c> asks.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
