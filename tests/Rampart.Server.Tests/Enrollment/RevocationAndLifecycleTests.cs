using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Tests.Enrollment;

public sealed class RevocationAndLifecycleTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task Revoking_publishes_a_crl_listing_the_serial_and_tells_subscribers_at_once()
    {
        using var subscription = _fleet.Get<FleetEventStream>().Subscribe();
        using var certificate = await EnrolledAsync("d1");

        var revoked = await _fleet.Get<RevocationService>().RevokeSerialAsync(certificate.SerialNumber.ToLowerInvariant(), X509RevocationReason.KeyCompromise, "local-admin", CancellationToken.None);

        Assert.Equal([certificate.SerialNumber], revoked);
        var crl = await _fleet.Get<ICrlStore>().GetLatestAsync(CancellationToken.None);
        var builder = CertificateRevocationListBuilder.Load(crl!.Der, out _);
        Assert.True(builder.RemoveEntry(Convert.FromHexString(certificate.SerialNumber)));
        var told = await NextAsync<CertificateRevoked>(subscription);
        Assert.Equal(("d1", certificate.SerialNumber, "keyCompromise"), (told.Subject, told.Serial, told.Reason));
        Assert.Contains(await _fleet.AuditAsync(), e => e.Action == "certificate.revoked" && e.Actor == "local-admin");
    }

    [Fact]
    public async Task Revoking_twice_or_an_unknown_serial_is_refused_clearly()
    {
        using var certificate = await EnrolledAsync("d1");
        var revocation = _fleet.Get<RevocationService>();
        await revocation.RevokeSerialAsync(certificate.SerialNumber, X509RevocationReason.Unspecified, "t", CancellationToken.None);

        var twice = await Assert.ThrowsAsync<FleetException>(() => revocation.RevokeSerialAsync(certificate.SerialNumber, X509RevocationReason.Unspecified, "t", CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<FleetException>(() => revocation.RevokeSerialAsync("ABCDEF", X509RevocationReason.Unspecified, "t", CancellationToken.None));
        var notHex = await Assert.ThrowsAsync<FleetException>(() => revocation.RevokeSerialAsync("xyz", X509RevocationReason.Unspecified, "t", CancellationToken.None));

        Assert.Equal(FleetErrorKind.Conflict, twice.Kind);
        Assert.Equal(FleetErrorKind.NotFound, unknown.Kind);
        Assert.Equal(FleetErrorKind.Invalid, notHex.Kind);
    }

    [Fact]
    public async Task Retiring_revokes_every_certificate_and_ends_the_device_for_good()
    {
        using var subscription = _fleet.Get<FleetEventStream>().Subscribe();
        using var certificate = await EnrolledAsync("d1");
        var inventory = _fleet.Get<InventoryService>();

        var revoked = await inventory.RetireAsync("d1", "local-admin", CancellationToken.None);

        Assert.Equal([certificate.SerialNumber], revoked);
        Assert.Equal(DeviceState.Retired, (await inventory.GetAsync("d1", CancellationToken.None)).State);
        Assert.Equal(DeviceAccessChange.Retired, (await NextAsync<DeviceAccessChanged>(subscription)).Change);
        var record = await _fleet.Get<ICertificateStore>().GetAsync(certificate.SerialNumber, CancellationToken.None);
        Assert.Equal(X509RevocationReason.CessationOfOperation, record!.RevocationReason);
        await Assert.ThrowsAsync<FleetException>(() => inventory.RetireAsync("d1", "t", CancellationToken.None));
        await Assert.ThrowsAsync<FleetException>(() => inventory.AddAsync(new NewDevice("d1"), "t", CancellationToken.None));
        await Assert.ThrowsAsync<FleetException>(() => inventory.IssueBootstrapTokenAsync("d1", "t", CancellationToken.None));
    }

    [Fact]
    public async Task Quarantine_and_release_move_an_active_device_and_are_published()
    {
        using var subscription = _fleet.Get<FleetEventStream>().Subscribe();
        using var certificate = await EnrolledAsync("d1");
        var inventory = _fleet.Get<InventoryService>();

        await inventory.QuarantineAsync("d1", "tamper report", "local-admin", CancellationToken.None);
        var quarantined = (await inventory.GetAsync("d1", CancellationToken.None)).State;
        await Assert.ThrowsAsync<FleetException>(() => inventory.QuarantineAsync("d1", "again", "t", CancellationToken.None));
        var unproven = await Assert.ThrowsAsync<FleetException>(() => inventory.ReleaseAsync("d1", "re-attested", "local-admin",
            new Rampart.Server.Tests.Gateway.OperatorVerifiedRelease("device d1 has sent no posture report"), CancellationToken.None));
        Assert.Equal(FleetErrorKind.Conflict, unproven.Kind);
        Assert.Contains("has sent no posture report", unproven.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Quarantined, (await inventory.GetAsync("d1", CancellationToken.None)).State);
        await inventory.ReleaseAsync("d1", "re-attested", "local-admin", Rampart.Server.Tests.Gateway.OperatorVerifiedRelease.Instance, CancellationToken.None);

        Assert.Equal(DeviceState.Quarantined, quarantined);
        Assert.Equal(DeviceState.Active, (await inventory.GetAsync("d1", CancellationToken.None)).State);
        Assert.Equal(DeviceAccessChange.Quarantined, (await NextAsync<DeviceAccessChanged>(subscription)).Change);
        Assert.Equal(DeviceAccessChange.Released, (await NextAsync<DeviceAccessChanged>(subscription)).Change);
    }

    [Theory]
    [InlineData("has/slash")]
    [InlineData("plus+")]
    [InlineData("hash#")]
    [InlineData("")]
    [InlineData("an-id-that-is-far-too-long-for-an-id-an-id-that-is-far-too-long-for-it")]
    public async Task Device_ids_that_could_widen_a_topic_or_overflow_are_refused(string id)
    {
        var error = await Assert.ThrowsAsync<FleetException>(() => _fleet.Get<InventoryService>().AddAsync(new NewDevice(id), "t", CancellationToken.None));

        Assert.Equal(FleetErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public async Task The_inventory_pages_in_id_order()
    {
        var inventory = _fleet.Get<InventoryService>();
        foreach (var id in new[] { "c", "a", "e", "b", "d" })
        {
            await inventory.AddAsync(new NewDevice(id, Site: "s1", Tags: ["t1"]), "t", CancellationToken.None);
        }

        var first = await inventory.ListAsync(new DeviceQuery(Limit: 2), CancellationToken.None);
        var second = await inventory.ListAsync(new DeviceQuery(After: first[^1].Id, Limit: 2), CancellationToken.None);

        Assert.Equal(["a", "b"], first.Select(d => d.Id));
        Assert.Equal(["c", "d"], second.Select(d => d.Id));
        Assert.Equal(["t1"], first[0].Tags);
    }

    private async Task<X509Certificate2> EnrolledAsync(string id)
    {
        var token = await _fleet.AddDeviceAsync(id);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await _fleet.EnrollAsync(FleetHarness.Basic(id, token), key);
        return result.Certificate!;
    }

    private static async Task<T> NextAsync<T>(FleetEventSubscription subscription)
        where T : FleetEvent
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await subscription.Events.ReadAsync(timeout.Token);
            if (next is T wanted)
            {
                return wanted;
            }
        }
    }
}
