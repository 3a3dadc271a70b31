using System.Data.Common;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.SupplyChain.Vex;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Storage.SupplyChain;

/// <summary>Supply-chain stores, on either provider: SBOMs, vulnerability records, VEX statements, the exposure snapshot.</summary>
public partial class SupplyChainStore(IStoreDatabase database) : ISbomStore, IVulnerabilityStore, IVexStore, IExposureStore
{
    /// <inheritdoc />
    public async Task PutAsync(IStoreTransaction transaction, StoredSbom sbom, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(
            "INSERT INTO sbom_documents (scope, sha256, description, components, problem, stored_by, stored_ms) VALUES (@scope, @sha, @description, @components, @problem, @by, @at) " +
            "ON CONFLICT (scope) DO UPDATE SET sha256 = excluded.sha256, description = excluded.description, components = excluded.components, problem = excluded.problem, " +
            "stored_by = excluded.stored_by, stored_ms = excluded.stored_ms",
            cancellationToken, ("scope", sbom.Scope.Key), ("sha", sbom.Sha256), ("description", sbom.Description), ("components", SupplyChainJson.Write(sbom.Components)),
            ("problem", sbom.Problem), ("by", sbom.StoredBy), ("at", transaction.Now.ToUnixMs()));

    /// <inheritdoc />
    public Task<StoredSbom?> GetAsync(SbomScope scope, CancellationToken cancellationToken) =>
        database.QuerySingleAsync($"SELECT {SbomColumns} FROM sbom_documents WHERE scope = @scope", ReadSbom, cancellationToken, ("scope", scope.Key));

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSbom>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {SbomColumns} FROM sbom_documents ORDER BY scope", ReadSbom, cancellationToken);

    /// <inheritdoc />
    public async Task<VulnerabilityUpsert> UpsertAsync(IStoreTransaction transaction, IReadOnlyList<Vulnerability> records, CancellationToken cancellationToken)
    {
        var ids = SupplyChainJson.Write(records.Select(r => r.Id));
        var known = (await transaction.QueryAsync($"SELECT id, digest FROM vulnerabilities WHERE id IN ({transaction.Dialect().JsonTextValues("ids")})",
            reader => (reader.GetString(0), reader.GetString(1)), cancellationToken, ("ids", ids))).ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
        var (added, updated, unchanged) = (0, 0, 0);
        foreach (var record in records)
        {
            var json = SupplyChainJson.Write(record);
            var digest = SupplyChainJson.Digest(json);
            if (known.TryGetValue(record.Id, out var stored) && stored == digest)
            {
                unchanged++;
                continue;
            }

            _ = known.ContainsKey(record.Id) ? updated++ : added++;
            known[record.Id] = digest;
            await transaction.ExecuteAsync(
                "INSERT INTO vulnerabilities (id, source, digest, record, imported_ms) VALUES (@id, @source, @digest, @record, @at) " +
                "ON CONFLICT (id) DO UPDATE SET source = excluded.source, digest = excluded.digest, record = excluded.record, imported_ms = excluded.imported_ms",
                cancellationToken, ("id", record.Id), ("source", record.Source), ("digest", digest), ("record", json), ("at", transaction.Now.ToUnixMs()));
        }

        if (added + updated > 0)
        {
            // The change stamp rises with the records, in their transaction (migration 0023): every node sees it.
            await transaction.ExecuteAsync("UPDATE supply_chain_stamps SET version = version + 1 WHERE name = 'vulnerabilities'", cancellationToken);
        }

        return new VulnerabilityUpsert(added, updated, unchanged);
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<Vulnerability>> IVulnerabilityStore.ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT record FROM vulnerabilities ORDER BY id", reader => SupplyChainJson.Read<Vulnerability>(reader.GetString(0)), cancellationToken);

    /// <inheritdoc />
    public async Task<long> CountAsync(CancellationToken cancellationToken) => Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM vulnerabilities", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task<long> StampAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync("SELECT version FROM supply_chain_stamps WHERE name = 'vulnerabilities'", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task SetAsync(IStoreTransaction transaction, SbomScope scope, IReadOnlyList<VexStatement> statements, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("DELETE FROM vex_statements WHERE scope = @scope", cancellationToken, ("scope", scope.Key));
        for (var i = 0; i < statements.Count; i++)
        {
            await transaction.ExecuteAsync("INSERT INTO vex_statements (scope, position, statement, set_ms) VALUES (@scope, @position, @statement, @at)",
                cancellationToken, ("scope", scope.Key), ("position", i), ("statement", SupplyChainJson.Write(statements[i])), ("at", transaction.Now.ToUnixMs()));
        }
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<ScopedVex>> IVexStore.ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT scope, statement FROM vex_statements ORDER BY scope, position",
            reader => new ScopedVex(SbomScope.Parse(reader.GetString(0)), SupplyChainJson.Read<VexStatement>(reader.GetString(1))), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, ExposureMark>> SnapshotAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT key, vulnerability, component, severity, devices FROM exposure_snapshot",
            reader => new ExposureMark(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)), cancellationToken))
        .ToDictionary(m => m.Key, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task ReplaceAsync(IStoreTransaction transaction, IReadOnlyCollection<ExposureMark> snapshot, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("DELETE FROM exposure_snapshot", cancellationToken);
        foreach (var mark in snapshot)
        {
            await transaction.ExecuteAsync("INSERT INTO exposure_snapshot (key, vulnerability, component, severity, devices) VALUES (@key, @vulnerability, @component, @severity, @devices)",
                cancellationToken, ("key", mark.Key), ("vulnerability", mark.Vulnerability), ("component", mark.Component), ("severity", mark.Severity), ("devices", mark.Devices));
        }
    }

    private const string SbomColumns = "scope, sha256, description, components, problem, stored_by, stored_ms";

    private static StoredSbom ReadSbom(DbDataReader reader) => new(
        SbomScope.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), SupplyChainJson.Read<SbomComponent[]>(reader.GetString(3)),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), DbCommands.FromUnixMs(reader.GetInt64(6)));
}

/// <summary>The store on a SQLite file, by the name callers outside Storage (tests, bench) know it.</summary>
public sealed class SqliteSupplyChainStore(Sqlite.SqliteDatabase database) : SupplyChainStore(database);
