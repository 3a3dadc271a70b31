using Rampart.Fleet.Certificates;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Certificates;

/// <summary>Published CRLs, on either provider.</summary>
public sealed class CrlStore(IStoreDatabase database) : ICrlStore
{
    /// <inheritdoc />
    public Task<PublishedCrl?> GetLatestAsync(CancellationToken cancellationToken) =>
        database.QuerySingleAsync(
            "SELECT number, this_update_ms, next_update_ms, der FROM crls ORDER BY number DESC",
            reader => new PublishedCrl(reader.GetInt64(0), DbCommands.FromUnixMs(reader.GetInt64(1)), DbCommands.FromUnixMs(reader.GetInt64(2)), (byte[])reader.GetValue(3)),
            cancellationToken);

    /// <inheritdoc />
    public Task AddAsync(PublishedCrl crl, CancellationToken cancellationToken) =>
        database.ExecuteAsync("INSERT INTO crls (number, this_update_ms, next_update_ms, der) VALUES (@n, @t, @u, @d)", cancellationToken,
            ("n", crl.Number), ("t", crl.ThisUpdate.ToUnixMs()), ("u", crl.NextUpdate.ToUnixMs()), ("d", crl.Der));
}
