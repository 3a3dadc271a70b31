using Rampart.Detection.Export;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Export;

/// <summary>
/// The export leases (migration 0021), on either provider. Taking and renewing is one upsert whose
/// update applies only when the row is the holder's or expired: on PostgreSQL the conflicting row is
/// locked and its latest version judged, so two nodes racing for a free lease get one winner.
/// </summary>
public sealed class ExportLeaseStore(IStoreDatabase database) : IExportLeaseStore
{
    /// <inheritdoc />
    public async Task<bool> TryHoldAsync(string destination, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "INSERT INTO export_leases (destination, holder, expires_ms) VALUES (@d, @h, @until) " +
            "ON CONFLICT (destination) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms " +
            "WHERE export_leases.holder = excluded.holder OR export_leases.expires_ms <= @now",
            cancellationToken, ("d", destination), ("h", holder), ("until", until.ToUnixMs()), ("now", now.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task ReleaseAsync(string destination, string holder, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM export_leases WHERE destination = @d AND holder = @h", cancellationToken, ("d", destination), ("h", holder));

    /// <inheritdoc />
    public Task<ExportLease?> GetAsync(string destination, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT destination, holder, expires_ms FROM export_leases WHERE destination = @d",
            reader => new ExportLease(reader.GetString(0), reader.GetString(1), DbCommands.FromUnixMs(reader.GetInt64(2))),
            cancellationToken, ("d", destination));
}
