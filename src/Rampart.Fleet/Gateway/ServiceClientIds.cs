using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// The client ids the configured backend services may use, reserved against device ids: a device
/// whose id a service pattern matches (<c>ingest-1</c> against <c>ingest-*</c>) could otherwise share
/// a client id with the service. Decided twice — when a device is registered (its id is refused) and
/// at every CONNECT (a device registered before the pattern was configured is refused with 0x85) —
/// so device ids and service client ids are disjoint whatever order they were set up in.
/// </summary>
public sealed class ServiceClientIds(IReadOnlyDictionary<string, ServicePermissions> services) : IDeviceIdReservations
{
    /// <summary>The service whose pattern allows <paramref name="clientId"/>, if any.</summary>
    public ServicePermissions? Claiming(string clientId)
    {
        foreach (var service in services.Values)
        {
            if (service.AllowsClientId(clientId))
            {
                return service;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public string? Reserved(string deviceId) =>
        Claiming(deviceId) is { } service ? $"'{deviceId}' is reserved for the client ids of service {service.Name} ('{service.ClientIdPattern}')" : null;
}
