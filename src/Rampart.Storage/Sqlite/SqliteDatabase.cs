using System.Data.Common;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Sqlite;

/// <summary>
/// The node's embedded database file. Every connection runs with full synchronous commits, so a
/// transaction that returned is on disk (WAL journal, fsync at commit) and survives a kill or a
/// power cut; foreign keys are enforced.
/// </summary>
public sealed class SqliteDatabase : IStoreDatabase
{
    private readonly string _connectionString;
    private int _walChecked;

    /// <summary>Opens (and with <paramref name="readOnly"/> false, creates) the database at <paramref name="path"/>.</summary>
    public SqliteDatabase(string path, bool readOnly = false)
    {
        Path = path;
        ReadOnly = readOnly;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // Read-only users still open read-write (a WAL database needs its -shm file) and are
            // held to reads by PRAGMA query_only; they never create a database.
            Mode = readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>True when opened only for reading (as <c>audit verify</c> does).</summary>
    public bool ReadOnly { get; }

    /// <inheritdoc />
    public ISqlDialect Dialect => SqliteDialect.Instance;

    /// <inheritdoc />
    public string Target => Path;

    /// <inheritdoc />
    async Task<DbConnection> IStoreDatabase.OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IAuditTransaction> BeginAuditAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await SqliteStoreTransaction.BeginAsync(this, now, cancellationToken);

    /// <summary>An open connection with Rampart's pragmas applied.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();

            // journal_mode is stored in the file: set once per process. The others are per
            // connection and cost nothing (no I/O), so every open sets them, pooled or not.
            var wal = !ReadOnly && Interlocked.Exchange(ref _walChecked, 1) == 0 ? "PRAGMA journal_mode = WAL; " : string.Empty;
            pragmas.CommandText = ReadOnly
                ? "PRAGMA query_only = 1; PRAGMA busy_timeout = 5000;"
                : wal + "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when a trivial query answers: what <c>/readyz</c> asks.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}
