using System.Data.Common;
using System.Text.Json;
using Rampart.Fleet.Audit;
using Rampart.Network.Inventory;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Network;

/// <summary>
/// The passive network inventory on either provider (migration 0027): hosts by address, written in the
/// audited transaction of their import as one batch (<see cref="ISqlDialect.InsertRowsAsync"/>), and the
/// addresses registered devices connected from.
/// </summary>
public sealed class NetworkStore(IStoreDatabase database) : INetworkStore
{
    private const string Columns = "address, mac, vendor, device_id, first_ms, last_ms, flows, bytes, ports, protocols, insecure";

    private const string OnConflict = "ON CONFLICT (address) DO UPDATE SET mac = excluded.mac, vendor = excluded.vendor, device_id = excluded.device_id, "
        + "first_ms = excluded.first_ms, last_ms = excluded.last_ms, flows = excluded.flows, bytes = excluded.bytes, "
        + "ports = excluded.ports, protocols = excluded.protocols, insecure = excluded.insecure";

    // Lookups go in chunks: one JSON array parameter each, well inside either engine's limits.
    private const int Chunk = 1000;

    /// <inheritdoc />
    public async Task<IReadOnlyList<NetworkHost>> GetHostsAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken)
    {
        var hosts = new List<NetworkHost>(addresses.Count);
        foreach (var chunk in addresses.Chunk(Chunk))
        {
            hosts.AddRange(await database.QueryAsync(
                $"SELECT {Columns} FROM network_hosts WHERE address IN ({database.Dialect.JsonTextValues("a")})", Host, cancellationToken, ("a", JsonSerializer.Serialize(chunk))));
        }

        return hosts;
    }

    /// <inheritdoc />
    public async Task SaveHostsAsync(IStoreTransaction transaction, IReadOnlyList<NetworkHost> hosts, CancellationToken cancellationToken)
    {
        if (hosts.Count == 0)
        {
            return;
        }

        var commands = CommandTransactions.Of(transaction);
        await commands.Dialect.InsertRowsAsync(
            commands.Command, "network_hosts",
            [
                new("address", BatchType.Text, i => hosts[i].Address),
                new("mac", BatchType.Text, i => hosts[i].Mac),
                new("vendor", BatchType.Text, i => hosts[i].Vendor),
                new("device_id", BatchType.Text, i => hosts[i].DeviceId),
                new("first_ms", BatchType.Integer, i => hosts[i].FirstSeen.ToUnixMs()),
                new("last_ms", BatchType.Integer, i => hosts[i].LastSeen.ToUnixMs()),
                new("flows", BatchType.Integer, i => hosts[i].Flows),
                new("bytes", BatchType.Integer, i => hosts[i].Bytes),
                new("ports", BatchType.Text, i => JsonSerializer.Serialize(hosts[i].Ports)),
                new("protocols", BatchType.Text, i => JsonSerializer.Serialize(hosts[i].Protocols)),
                new("insecure", BatchType.Text, i => JsonSerializer.Serialize(hosts[i].Insecure)),
            ],
            hosts.Count, OnConflict, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<NetworkHost>> ListHostsAsync(bool unknownOnly, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"SELECT {Columns} FROM network_hosts WHERE (@unknown = 0 OR device_id IS NULL) ORDER BY last_ms DESC, address LIMIT @n",
            Host, cancellationToken, ("unknown", unknownOnly ? 1 : 0), ("n", limit));

    /// <inheritdoc />
    public Task RecordDeviceAddressAsync(string address, string deviceId, DateTimeOffset seen, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO network_device_addresses (address, device_id, seen_ms) VALUES (@a, @d, @s) "
            + "ON CONFLICT (address) DO UPDATE SET device_id = excluded.device_id, seen_ms = excluded.seen_ms WHERE excluded.seen_ms >= network_device_addresses.seen_ms",
            cancellationToken, ("a", address), ("d", deviceId), ("s", seen.ToUnixMs()));

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> DeviceAddressesAsync(int limit, CancellationToken cancellationToken) =>
        (await database.QueryAsync("SELECT address, device_id FROM network_device_addresses ORDER BY seen_ms DESC, address LIMIT @n",
            r => (Address: r.GetString(0), Device: r.GetString(1)), cancellationToken, ("n", limit)))
        .ToDictionary(p => p.Address, p => p.Device, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task BindAsync(IStoreTransaction transaction, NetworkBinding binding, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync(
            "INSERT INTO network_bindings (kind, value, device_id, bound_by, bound_ms) VALUES (@k, @v, @d, @b, @at) "
            + "ON CONFLICT (kind, value) DO UPDATE SET device_id = excluded.device_id, bound_by = excluded.bound_by, bound_ms = excluded.bound_ms",
            cancellationToken, ("k", binding.Kind), ("v", binding.Value), ("d", binding.DeviceId), ("b", binding.BoundBy), ("at", binding.Bound.ToUnixMs()));
        await transaction.ExecuteAsync($"UPDATE network_hosts SET device_id = @d WHERE {HostColumn(binding.Kind)} = @v", cancellationToken, ("d", binding.DeviceId), ("v", binding.Value));
    }

    /// <inheritdoc />
    public async Task<NetworkBinding?> UnbindAsync(IStoreTransaction transaction, string kind, string value, CancellationToken cancellationToken)
    {
        var removed = (await transaction.QueryAsync(
            $"DELETE FROM network_bindings WHERE kind = @k AND value = @v RETURNING {BindingColumns}", Binding, cancellationToken, ("k", kind), ("v", value))).FirstOrDefault();
        if (removed is not null)
        {
            await transaction.ExecuteAsync($"UPDATE network_hosts SET device_id = NULL WHERE {HostColumn(kind)} = @v AND device_id = @d", cancellationToken, ("v", value), ("d", removed.DeviceId));
        }

        return removed;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<NetworkBinding>> ListBindingsAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {BindingColumns} FROM network_bindings ORDER BY kind, value LIMIT @n", Binding, cancellationToken, ("n", limit));

    private const string BindingColumns = "kind, value, device_id, bound_by, bound_ms";

    private static string HostColumn(string kind) => kind == NetworkBinding.Mac ? "mac" : "address";

    private static NetworkBinding Binding(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DbCommands.FromUnixMs(reader.GetInt64(4)));

    private static NetworkHost Host(DbDataReader reader) => new(
        reader.GetString(0), Text(reader, 1), Text(reader, 2), Text(reader, 3),
        DbCommands.FromUnixMs(reader.GetInt64(4)), DbCommands.FromUnixMs(reader.GetInt64(5)), reader.GetInt64(6), reader.GetInt64(7),
        List(reader, 8), List(reader, 9), List(reader, 10));

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string[] List(DbDataReader reader, int ordinal) => JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal)) ?? [];
}
