using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Fleet.Audit;
using Rampart.Storage.Audit;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Fleet.Tests.Audit;

/// <summary>A real audit log on a real SQLite file, and the moves an attacker with the file makes.</summary>
internal sealed class AuditTestLog : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    private AuditTestLog(int checkpointInterval)
    {
        Database = new SqliteDatabase(_directory.Sub("rampart.db"));
        Store = new SqliteAuditStore(Database);
        Key = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        Options = new AuditOptions { CheckpointInterval = checkpointInterval };
    }

    public SqliteDatabase Database { get; }

    public SqliteAuditStore Store { get; }

    public AuditSigningKey Key { get; }

    public AuditOptions Options { get; }

    public ManualTimeProvider Clock { get; } = new();

    public static async Task<AuditTestLog> CreateAsync(int checkpointInterval = 10)
    {
        var log = new AuditTestLog(checkpointInterval);
        await new MigrationRunner(log.Database).ApplyAsync();
        return log;
    }

    public AuditLog NewWriter() =>
        new(Store, Key, Clock, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<AuditLog>.Instance);

    /// <summary>Writes <paramref name="count"/> entries through a writer that is then stopped (final checkpoint).</summary>
    public async Task WriteAsync(int count)
    {
        var writer = NewWriter();
        await writer.StartAsync(CancellationToken.None);
        for (var i = 1; i <= count; i++)
        {
            await writer.AppendAsync(Record(i));
        }

        await writer.StopAsync();
    }

    public static AuditRecord Record(int i) =>
        new("operator-" + (i % 3), "device.updated", $"device/d{i}", AuditOutcome.Success, new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task<AuditVerification> VerifyAsync()
    {
        using var publicKey = Key.ExportPublic();
        return await new AuditVerifier(publicKey).VerifyAsync(Store);
    }

    /// <summary>Runs SQL on the file as someone who has it would: triggers dropped first.</summary>
    public async Task TamperAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Database.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER IF EXISTS audit_entries_append_only_update;
            DROP TRIGGER IF EXISTS audit_entries_append_only_delete;
            DROP TRIGGER IF EXISTS audit_checkpoints_append_only_update;
            DROP TRIGGER IF EXISTS audit_checkpoints_append_only_delete;
            """ + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Replaces entry <paramref name="sequence"/>'s actor and recomputes its hash, as an attacker without the audit key can.</summary>
    public async Task RewriteEntryAsync(long sequence, string actor, bool relinkFollowing)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Store.ReadEntriesAsync(sequence, CancellationToken.None))
        {
            entries.Add(entry);
        }

        var previous = entries[0].PreviousHash;
        foreach (var entry in relinkFollowing ? entries : entries.Take(1))
        {
            var rewritten = entry with
            {
                Actor = entry.Sequence == sequence ? actor : entry.Actor,
                PreviousHash = previous,
            };
            var hash = rewritten.ComputeHash();
            await TamperAsync("UPDATE audit_entries SET actor = $a, prev_hash = $p, hash = $h WHERE seq = $s",
                ("$a", rewritten.Actor), ("$p", rewritten.PreviousHash), ("$h", hash), ("$s", entry.Sequence));
            previous = hash;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        await Task.CompletedTask;
    }
}
