using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Permissions;
using Rampart.Pki.Authority;

namespace Rampart.Server.Tests.Gateway;

public sealed class ClientIdentityResolverTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;
    private ClientIdentityResolver _resolver = null!;

    public async Task InitializeAsync()
    {
        _fleet = await FleetHarness.CreateAsync();
        var ingest = new ServicePermissions("ingest", "ingest-*", new PermissionTemplate([], ["$share/ingest/devices/+/telemetry/#"]));
        _resolver = new ClientIdentityResolver(_fleet.Get<CertificateAuthority>(), _fleet.Get<ICertificateStore>(), _fleet.Get<IDeviceStore>(),
            new Dictionary<string, ServicePermissions> { ["ingest"] = ingest }, _fleet.Clock);
    }

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task An_enrolled_device_is_identified_by_its_certificate_with_its_own_permissions()
    {
        using var certificate = await EnrolledAsync("d1");

        var (identity, refusal) = await _resolver.ResolveAsync(certificate, CancellationToken.None);

        Assert.Null(refusal);
        Assert.Equal((ClientKind.Device, "d1", "device:d1"), (identity!.Kind, identity.Id, identity.Principal));
        Assert.True(identity.Permissions.CanPublish("devices/d1/telemetry/t"));
        Assert.False(identity.Permissions.CanPublish("devices/d2/telemetry/t"));
    }

    [Fact]
    public async Task A_quarantined_device_gets_the_quarantine_template()
    {
        using var certificate = await EnrolledAsync("d1");
        await _fleet.Get<InventoryService>().QuarantineAsync("d1", "tamper", "test", CancellationToken.None);

        var (identity, _) = await _resolver.ResolveAsync(certificate, CancellationToken.None);

        Assert.True(identity!.Permissions.CanPublish("devices/d1/state"));
        Assert.False(identity.Permissions.CanPublish("devices/d1/telemetry/t"));
    }

    [Fact]
    public async Task Revoked_expired_foreign_and_missing_certificates_are_refused_with_their_reason()
    {
        using var revoked = await EnrolledAsync("d1");
        using var expiring = await EnrolledAsync("d2");
        await _fleet.Get<RevocationService>().RevokeSerialAsync(revoked.SerialNumber, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=d1", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var revokedRefusal = (await _resolver.ResolveAsync(revoked, CancellationToken.None)).Refusal;
        var foreignRefusal = (await _resolver.ResolveAsync(foreign, CancellationToken.None)).Refusal;
        var missing = (await _resolver.ResolveAsync(null, CancellationToken.None)).Refusal;
        _fleet.Clock.Advance(TimeSpan.FromDays(91));
        var expired = (await _resolver.ResolveAsync(expiring, CancellationToken.None)).Refusal;

        Assert.Equal("revoked", revokedRefusal?.Code);
        Assert.Equal("unknown-ca", foreignRefusal?.Code);
        Assert.Equal("no-certificate", missing?.Code);
        Assert.Equal("expired", expired?.Code);
    }

    [Fact]
    public async Task A_service_is_identified_with_its_configured_permissions_and_an_unconfigured_one_is_refused()
    {
        using var ingest = await ServiceAsync("ingest");
        using var other = await ServiceAsync("reports");

        var (identity, _) = await _resolver.ResolveAsync(ingest, CancellationToken.None);
        var refused = (await _resolver.ResolveAsync(other, CancellationToken.None)).Refusal;

        Assert.Equal((ClientKind.Service, "service:ingest"), (identity!.Kind, identity.Principal));
        Assert.True(identity.Permissions.CanSubscribe("$share/ingest/devices/+/telemetry/#"));
        Assert.Equal("unknown-service", refused?.Code);
    }

    private async Task<X509Certificate2> EnrolledAsync(string id)
    {
        var token = await _fleet.AddDeviceAsync(id);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var result = await _fleet.EnrollAsync(FleetHarness.Basic(id, token), key);
        Assert.Null(result.Refusal);
        return result.Certificate!;
    }

    private async Task<X509Certificate2> ServiceAsync(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return await _fleet.Get<ServiceCertificates>().IssueAsync(name, FleetHarness.Csr(key), "test", CancellationToken.None);
    }
}
