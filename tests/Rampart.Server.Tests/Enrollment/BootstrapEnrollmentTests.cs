using System.Security.Cryptography;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Tests.Enrollment;

public sealed class BootstrapEnrollmentTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    [Fact]
    public async Task A_bootstrap_token_enrolls_its_device_once_and_the_issuance_is_recorded_audited_and_evented()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), key);

        Assert.Null(result.Refusal);
        Assert.Equal("CN=d1", result.Certificate!.Subject);
        Assert.Equal(DeviceState.Active, (await _fleet.Get<IDeviceStore>().GetAsync("d1", CancellationToken.None))!.State);
        var stored = await _fleet.Get<ICertificateStore>().GetAsync(result.Certificate.SerialNumber, CancellationToken.None);
        Assert.Equal("d1", stored!.Subject);
        var issued = (await _fleet.AuditAsync()).Single(e => e.Action == "certificate.issued");
        Assert.Equal("device:d1", issued.Actor);
        Assert.Contains("bootstrap-token", issued.Details, StringComparison.Ordinal);
        Assert.Contains(await _fleet.EventsAsync("d1"), e => e.Kind == "certificate.issued");

        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var again = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), second);
        Assert.Equal(EnrollmentRefusalKind.Unauthenticated, again.Refusal?.Kind);
    }

    [Fact]
    public async Task A_bearer_token_works_like_basic()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await _fleet.EnrollAsync(new EstCredentials(null, token, null, "192.0.2.1"), key);

        Assert.Equal("CN=d1", result.Certificate?.Subject);
    }

    [Fact]
    public async Task A_token_for_another_device_is_refused_and_stays_unspent()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        await _fleet.AddDeviceAsync("d2");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var refused = await _fleet.EnrollAsync(FleetHarness.Basic("d2", token), key);
        var rightful = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), key);

        Assert.Equal("token-for-another-device", refused.Refusal?.Code);
        Assert.Null(rightful.Refusal);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        _fleet.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), key);

        Assert.Equal("bad-token", result.Refusal?.Code);
    }

    [Fact]
    public async Task A_new_token_revokes_the_old_one()
    {
        var old = await _fleet.AddDeviceAsync("d1");
        var fresh = (await _fleet.Get<InventoryService>().IssueBootstrapTokenAsync("d1", "test", CancellationToken.None)).Token;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Equal("bad-token", (await _fleet.EnrollAsync(FleetHarness.Basic("d1", old), key)).Refusal?.Code);
        Assert.Null((await _fleet.EnrollAsync(FleetHarness.Basic("d1", fresh), key)).Refusal);
    }

    [Fact]
    public async Task A_weak_key_is_refused_without_spending_the_token()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        using var weak = RSA.Create(2048);
        using var strong = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var refused = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), weak);
        var accepted = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), strong);

        Assert.Equal(EnrollmentRefusalKind.BadRequest, refused.Refusal?.Kind);
        Assert.Contains("RSA-2048 is too weak", refused.Refusal!.Message, StringComparison.Ordinal);
        Assert.Null(accepted.Refusal);
    }

    [Fact]
    public async Task A_key_already_certified_for_another_device_is_refused_as_cloning_and_raises_a_high_event()
    {
        var first = await _fleet.AddDeviceAsync("d1");
        var second = await _fleet.AddDeviceAsync("d2");
        using var shared = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await _fleet.EnrollAsync(FleetHarness.Basic("d1", first), shared);

        var result = await _fleet.EnrollAsync(FleetHarness.Basic("d2", second), shared);

        Assert.Equal(EnrollmentRefusalKind.Forbidden, result.Refusal?.Kind);
        Assert.Equal("key-reuse", result.Refusal!.Code);
        var alarm = Assert.Single(await _fleet.EventsAsync("d2"), e => e.Kind == "enrollment.key-reuse");
        Assert.Equal(SecuritySeverity.High, alarm.Severity);
        Assert.Empty(await _fleet.Get<ICertificateStore>().ListAsync("device", "d2", CancellationToken.None));
    }

    [Fact]
    public async Task A_retired_device_cannot_enroll_even_with_a_token_issued_before()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        await _fleet.Get<InventoryService>().RetireAsync("d1", "test", CancellationToken.None);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await _fleet.EnrollAsync(FleetHarness.Basic("d1", token), key);

        Assert.NotNull(result.Refusal);
        Assert.Null(result.Certificate);
    }

    [Fact]
    public async Task Repeated_failures_from_one_source_back_off_exponentially()
    {
        await _fleet.AddDeviceAsync("d1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(EnrollmentRefusalKind.Unauthenticated, (await _fleet.EnrollAsync(FleetHarness.Basic("d1", "wrong" + i), key)).Refusal?.Kind);
        }

        // The sixth failure starts a 1 s wait; the seventh, after it, a 2 s wait.
        await _fleet.EnrollAsync(FleetHarness.Basic("d1", "wrong"), key);
        var blocked = await _fleet.EnrollAsync(FleetHarness.Basic("d1", "wrong"), key);
        Assert.Equal(EnrollmentRefusalKind.RateLimited, blocked.Refusal?.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), blocked.Refusal!.RetryAfter);

        _fleet.Clock.Advance(TimeSpan.FromSeconds(1));
        await _fleet.EnrollAsync(FleetHarness.Basic("d1", "wrong"), key);
        Assert.Equal(TimeSpan.FromSeconds(2), (await _fleet.EnrollAsync(FleetHarness.Basic("d1", "wrong"), key)).Refusal!.RetryAfter);

        // Another source is not held back by this one, but the claimed device is.
        var elsewhere = await _fleet.EnrollAsync(FleetHarness.Basic("d2", "wrong", source: "198.51.100.7"), key);
        Assert.Equal(EnrollmentRefusalKind.Unauthenticated, elsewhere.Refusal?.Kind);
        Assert.Contains(await _fleet.EventsAsync(), e => e.Kind == "enrollment.backoff" && e.Severity == SecuritySeverity.High);
    }

    [Fact]
    public async Task Every_refusal_is_audited_as_denied_with_its_reason_and_writes_nothing_else()
    {
        var token = await _fleet.AddDeviceAsync("d1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await _fleet.EnrollAsync(FleetHarness.Basic("d1", token + "x"), key);
        await _fleet.Get<EnrollmentService>().EnrollAsync(EstOperation.Enroll, FleetHarness.Basic("d1", token), new byte[] { 1, 2, 3 }, CancellationToken.None);

        var denied = (await _fleet.AuditAsync()).Where(e => e.Action == "enrollment.refused").ToArray();
        Assert.Equal(2, denied.Length);
        Assert.All(denied, e => Assert.Equal("denied", e.Outcome));
        Assert.Contains("bad-token", denied[0].Details, StringComparison.Ordinal);
        Assert.Contains("malformed-csr", denied[1].Details, StringComparison.Ordinal);
        Assert.Empty(await _fleet.Get<ICertificateStore>().ListAsync("device", "d1", CancellationToken.None));
        Assert.Equal(DeviceState.Registered, (await _fleet.Get<IDeviceStore>().GetAsync("d1", CancellationToken.None))!.State);
    }
}
