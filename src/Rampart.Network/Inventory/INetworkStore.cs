using Rampart.Fleet.Audit;

namespace Rampart.Network.Inventory;

/// <summary>The passive inventory (migration 0027): hosts seen on the network, and the addresses registered devices connected from.</summary>
public interface INetworkStore
{
    /// <summary>The stored hosts among <paramref name="addresses"/>.</summary>
    Task<IReadOnlyList<NetworkHost>> GetHostsAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken);

    /// <summary>Writes hosts (already merged with what was stored) inside the audited transaction.</summary>
    Task SaveHostsAsync(IStoreTransaction transaction, IReadOnlyList<NetworkHost> hosts, CancellationToken cancellationToken);

    /// <summary>Hosts, most recently seen first; only those matched to no registered device when <paramref name="unknownOnly"/>.</summary>
    Task<IReadOnlyList<NetworkHost>> ListHostsAsync(bool unknownOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="deviceId"/> connected from <paramref name="address"/> (the newest device per address wins).</summary>
    Task RecordDeviceAddressAsync(string address, string deviceId, DateTimeOffset seen, CancellationToken cancellationToken);

    /// <summary>Address → device id, the most recently seen addresses first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyDictionary<string, string>> DeviceAddressesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Binds an address or MAC to a device inside the audited transaction (replacing an earlier binding of
    /// the same value); stored hosts with that address or MAC are matched to the device at once.
    /// </summary>
    Task BindAsync(IStoreTransaction transaction, NetworkBinding binding, CancellationToken cancellationToken);

    /// <summary>Removes a binding inside the audited transaction (the hosts it matched become unmatched); the removed binding, or null when there was none.</summary>
    Task<NetworkBinding?> UnbindAsync(IStoreTransaction transaction, string kind, string value, CancellationToken cancellationToken);

    /// <summary>Bindings, by kind and value, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<NetworkBinding>> ListBindingsAsync(int limit, CancellationToken cancellationToken);
}
