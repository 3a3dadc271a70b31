namespace Rampart.Storage.Sql;

/// <summary>
/// The keys of the cluster-wide locks (PostgreSQL advisory locks; on SQLite the write lock of BEGIN
/// IMMEDIATE covers them all). Fixed forever: nodes of different versions share them.
/// </summary>
public static class StoreLocks
{
    /// <summary>The audit chain and the security events ("rampart1" in ASCII).</summary>
    public const long AuditChain = 0x72616D7061727431;

    /// <summary>The export outbox's cursor and rows ("rampexpo" in ASCII).</summary>
    public const long ExportOutbox = 0x72616D706578706F;

    /// <summary>The TUF repository's files ("ramptuf1" in ASCII): every write that publishes a version.</summary>
    public const long TufRepository = 0x72616D7074756631;
}
