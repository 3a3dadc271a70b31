using Rampart.Storage;

namespace Rampart.Server.Hosting;

/// <summary>
/// Where a node keeps its durable state (section <c>Rampart:Storage</c>): its own SQLite file (the
/// default) or the cluster's PostgreSQL database. The connection string may come from settings or
/// the environment (<c>RAMPART__STORAGE__CONNECTIONSTRING</c>, which keeps the password out of
/// files); it is never logged. docs/scale-out.md.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Storage";

    /// <summary><c>sqlite</c> (one node, <c>DIR/rampart.db</c>) or <c>postgres</c> (several nodes).</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>The Npgsql connection string for <c>postgres</c> (Host, Port, Database, Username, Password, SSL Mode …); unused by <c>sqlite</c>.</summary>
    public string? ConnectionString { get; set; }
}
