using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>The console's overview counts, the same on every provider: by state within a scope, and devices whose newest certificate expires soon.</summary>
public abstract class FleetSummaryStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task Devices_are_counted_by_state_within_the_scope()
    {
        foreach (var (id, site, zone) in new[] { ("a", "s1", "z1"), ("b", "s1", "z2"), ("c", "s2", "z1") })
        {
            await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice(id, site, zone), CancellationToken.None));
        }

        await AuditedAsync(transaction => Stores.Devices.TryChangeStateAsync(transaction, "a", [DeviceState.Registered], DeviceState.Active, Start, CancellationToken.None));

        var all = await Stores.FleetSummary.CountByStateAsync(null, null, CancellationToken.None);
        var site1 = await Stores.FleetSummary.CountByStateAsync(["s1"], null, CancellationToken.None);
        var site1Zone2 = await Stores.FleetSummary.CountByStateAsync(["s1"], ["z2"], CancellationToken.None);

        Assert.Equal(new Dictionary<DeviceState, long> { [DeviceState.Active] = 1, [DeviceState.Registered] = 2 }, all);
        Assert.Equal(new Dictionary<DeviceState, long> { [DeviceState.Active] = 1, [DeviceState.Registered] = 1 }, site1);
        Assert.Equal(new Dictionary<DeviceState, long> { [DeviceState.Registered] = 1 }, site1Zone2);
    }

    [Fact]
    public async Task Only_devices_whose_newest_unrevoked_certificate_expires_in_the_window_are_counted()
    {
        foreach (var (id, site) in new[] { ("soon", "s1"), ("renewed", "s1"), ("later", "s1"), ("revoked", "s1"), ("elsewhere", "s2") })
        {
            await AuditedAsync(transaction => Stores.Devices.TryAddAsync(transaction, AuditChainContract<TProvider>.NewDevice(id, site), CancellationToken.None));
        }

        var window = Start.AddDays(30);
        await AddAsync("01", "soon", Start.AddDays(10));
        await AddAsync("02", "renewed", Start.AddDays(10));
        await AddAsync("03", "renewed", Start.AddDays(400));
        await AddAsync("04", "later", Start.AddDays(60));
        await AddAsync("05", "revoked", Start.AddDays(5));
        await AuditedAsync(transaction => Stores.Certificates.TryRevokeAsync(transaction, "05", Start, X509RevocationReason.KeyCompromise, CancellationToken.None));
        await AddAsync("06", "elsewhere", Start.AddDays(3));

        Assert.Equal(2, await Stores.FleetSummary.CountCertificatesExpiringAsync(Start, window, null, null, CancellationToken.None));
        Assert.Equal(1, await Stores.FleetSummary.CountCertificatesExpiringAsync(Start, window, ["s1"], null, CancellationToken.None));
        Assert.Equal(0, await Stores.FleetSummary.CountCertificatesExpiringAsync(Start.AddDays(11), window, ["s1"], null, CancellationToken.None));
    }

    private Task AddAsync(string serial, string device, DateTimeOffset notAfter) =>
        Stores.Certificates.AddAsync(new IssuedCertificate(serial, "device", device, "k" + serial, Start, notAfter, false, null, null, [1]), CancellationToken.None);
}
