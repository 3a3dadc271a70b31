using System.Data.Common;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Sql;

/// <summary>
/// What every store needs of its database, whichever the provider (issue 15): connections over
/// ADO.NET and the dialect that spells the few statements the providers write differently. The
/// stores are one class per aggregate over this; <see cref="Sqlite.SqliteDatabase"/> and
/// <see cref="Postgres.PostgresDatabase"/> implement it.
/// </summary>
public interface IStoreDatabase
{
    /// <summary>How this provider spells what SQL leaves to each engine.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>Where the data is, for messages: a file path or host:port/database, never credentials.</summary>
    string Target { get; }

    /// <summary>True when opened only for reading (as <c>audit verify</c> does).</summary>
    bool ReadOnly { get; }

    /// <summary>An open connection with the provider's session settings applied.</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Begins the audit writer's transaction: the chain's lock held from the start (BEGIN IMMEDIATE
    /// on SQLite, the cluster-wide advisory lock on PostgreSQL); stores run their statements in it.
    /// </summary>
    Task<IAuditTransaction> BeginAuditAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>True when a trivial query answers: what <c>/readyz</c> asks.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
