namespace Rampart.Storage;

/// <summary>The values of <c>Rampart:Storage:Provider</c>.</summary>
public static class StorageProviders
{
    /// <summary>One node, an embedded database file in its data directory (the default).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>Several nodes sharing one PostgreSQL database (issue 15, docs/scale-out.md).</summary>
    public const string Postgres = "postgres";

    /// <summary>Every provider, for messages.</summary>
    public static IReadOnlyList<string> All { get; } = [Sqlite, Postgres];
}
