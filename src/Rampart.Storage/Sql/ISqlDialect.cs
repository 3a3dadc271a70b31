using System.Data.Common;

namespace Rampart.Storage.Sql;

/// <summary>
/// The statements SQLite and PostgreSQL spell differently, and nothing else: the stores' SQL is
/// otherwise one text for both (named <c>@parameters</c>, <c>ON CONFLICT</c>, <c>RETURNING</c>,
/// <c>CAST(@p AS text) IS NULL</c> for optional filters, integers for times and flags).
/// </summary>
public interface ISqlDialect
{
    /// <summary>The provider's name, as <c>Rampart:Storage:Provider</c> spells it.</summary>
    string Provider { get; }

    /// <summary>The larger of two values (SQLite's two-argument <c>max</c>, PostgreSQL's <c>GREATEST</c>).</summary>
    string Greatest(string left, string right);

    /// <summary>A sub-select of the strings of a JSON array parameter, for <c>column IN (…)</c>.</summary>
    string JsonTextValues(string parameter);

    /// <summary>Every (table, column) of the live schema, in table then column order.</summary>
    string SchemaColumnsQuery { get; }

    /// <summary>
    /// Takes the cluster-wide lock <paramref name="key"/> for the rest of <paramref name="transaction"/>.
    /// SQLite's writers already hold the database's write lock from BEGIN IMMEDIATE, so there it
    /// does nothing; PostgreSQL takes the advisory transaction lock.
    /// </summary>
    Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts <paramref name="rows"/> rows into <paramref name="table"/> in index order (identity
    /// values follow it): one prepared statement per row on SQLite (in-process, so cheap), one
    /// statement of arrays on PostgreSQL (one round trip). <paramref name="onConflict"/> is appended.
    /// </summary>
    Task<int> InsertRowsAsync(Func<string, DbCommand> command, string table, IReadOnlyList<BatchColumn> columns, int rows, string onConflict, CancellationToken cancellationToken);

    /// <summary>
    /// Updates <paramref name="table"/> once per batch row: <paramref name="set"/> and
    /// <paramref name="where"/> name a row's values as <c>{column}</c> (batch column names must not be
    /// the table's column names). One prepared statement per row on SQLite, one <c>UPDATE … FROM
    /// unnest(…)</c> on PostgreSQL (one round trip instead of one per row). Returns the rows changed.
    /// </summary>
    Task<int> UpdateRowsAsync(Func<string, DbCommand> command, string table, IReadOnlyList<BatchColumn> columns, int rows, string set, string where, CancellationToken cancellationToken);
}

/// <summary>The kinds of value a batch column carries.</summary>
public enum BatchType
{
    /// <summary>A 64-bit integer (times in ms, ids, counters), maybe null.</summary>
    Integer,

    /// <summary>Text, maybe null.</summary>
    Text,

    /// <summary>Bytes, maybe null.</summary>
    Bytes,
}

/// <summary>One column of a batch insert or update: its name, kind, and the value of row <c>i</c>.</summary>
public sealed record BatchColumn(string Name, BatchType Type, Func<int, object?> Value)
{
    /// <summary><paramref name="clause"/> with each <c>{name}</c> of <paramref name="columns"/> spelled <paramref name="prefix"/>name.</summary>
    internal static string Fill(string clause, IReadOnlyList<BatchColumn> columns, string prefix) =>
        columns.Aggregate(clause, (text, column) => text.Replace("{" + column.Name + "}", prefix + column.Name, StringComparison.Ordinal));
}
