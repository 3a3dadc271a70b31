using System.Security.Cryptography;
using System.Text.Json;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;

namespace Rampart.Server.Tests.Operators;

public sealed class TokenAndApprovalTests : IAsyncLifetime
{
    private FleetHarness _fleet = null!;

    public async Task InitializeAsync() => _fleet = await FleetHarness.CreateAsync();

    public async Task DisposeAsync() => await _fleet.DisposeAsync();

    private ApiTokenService Tokens => _fleet.Get<ApiTokenService>();

    [Fact]
    public async Task A_token_carries_only_the_scopes_asked_for_and_never_more_than_its_owner()
    {
        var (bob, _) = await _fleet.OperatorAsync("bob", "operator");

        var readOnly = await Tokens.CreateAsync(bob, "ci", [Permissions.DevicesRead], TimeSpan.FromDays(7), CancellationToken.None);
        var beyond = await Assert.ThrowsAsync<FleetException>(() => Tokens.CreateAsync(bob, "ci", [Permissions.CertsRevoke], TimeSpan.FromDays(7), CancellationToken.None));
        var identity = await Tokens.AuthenticateAsync(readOnly.Token, CancellationToken.None);

        Assert.Equal(FleetErrorKind.Forbidden, beyond.Kind);
        Assert.Equal([Permissions.DevicesRead], identity!.Permissions);
        Assert.StartsWith(ApiTokenService.Prefix, readOnly.Token, StringComparison.Ordinal);
        Assert.DoesNotContain(readOnly.Token, readOnly.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_stops_working_when_it_expires_is_revoked_or_its_owner_is_disabled()
    {
        var (bob, _) = await _fleet.OperatorAsync("bob", "operator");
        var expiring = await Tokens.CreateAsync(bob, "short", null, TimeSpan.FromHours(1), CancellationToken.None);
        var revoked = await Tokens.CreateAsync(bob, "revoked", null, TimeSpan.FromDays(1), CancellationToken.None);
        var owned = await Tokens.CreateAsync(bob, "owned", null, TimeSpan.FromDays(1), CancellationToken.None);

        await Tokens.RevokeAsync(revoked.Id, bob, CancellationToken.None);
        _fleet.Clock.Advance(TimeSpan.FromHours(2));
        var ownedBefore = await Tokens.AuthenticateAsync(owned.Token, CancellationToken.None);
        await _fleet.Get<UserService>().DisableAsync("bob", "local-admin", CancellationToken.None);

        Assert.Null(await Tokens.AuthenticateAsync(expiring.Token, CancellationToken.None));
        Assert.Null(await Tokens.AuthenticateAsync(revoked.Token, CancellationToken.None));
        Assert.NotNull(ownedBefore);
        Assert.Null(await Tokens.AuthenticateAsync(owned.Token, CancellationToken.None));
        Assert.Null(await Tokens.AuthenticateAsync("rampart-api-" + new string('x', 43), CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_owner_or_a_user_administrator_can_revoke_a_token()
    {
        var (bob, _) = await _fleet.OperatorAsync("bob", "operator");
        var (carol, _) = await _fleet.OperatorAsync("carol", "viewer");
        var token = await Tokens.CreateAsync(bob, "ci", null, TimeSpan.FromDays(1), CancellationToken.None);

        var stranger = await Assert.ThrowsAsync<FleetException>(() => Tokens.RevokeAsync(token.Id, carol, CancellationToken.None));
        await Tokens.RevokeAsync(token.Id, OperatorIdentity.LocalAdmin, CancellationToken.None);

        Assert.Equal(FleetErrorKind.NotFound, stranger.Kind);
        Assert.Null(await Tokens.AuthenticateAsync(token.Token, CancellationToken.None));
    }

    [Fact]
    public async Task A_mass_revocation_waits_for_a_second_person_who_may_not_be_the_requester()
    {
        var devices = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var id = $"d{i}";
            var token = await _fleet.AddDeviceAsync(id);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            Assert.Null((await _fleet.EnrollAsync(FleetHarness.Basic(id, token), key)).Refusal);
            devices.Add(id);
        }

        var (sam, _) = await _fleet.OperatorAsync("sam", "security-officer");
        var (sue, _) = await _fleet.OperatorAsync("sue", "security-officer");
        var (bob, _) = await _fleet.OperatorAsync("bob", "operator");
        var approvals = _fleet.Get<ApprovalService>();
        var bulk = _fleet.Get<BulkRevocation>();
        var payload = JsonSerializer.Serialize(new BulkRevocation.Request(devices, "keyCompromise"), JsonSerializerOptions.Web);

        var request = await approvals.RequestAsync(bulk.Name, payload, "revoke 12 devices", sam, CancellationToken.None);
        var certificates = _fleet.Get<ICertificateStore>();
        var stillValid = (await certificates.ListAsync("device", "d0", CancellationToken.None)).Single().Revoked;
        var self = await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(request.Id, sam, CancellationToken.None));
        var unprivileged = await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(request.Id, bob, CancellationToken.None));
        var done = await approvals.ApproveAsync(request.Id, sue, CancellationToken.None);

        Assert.False(stillValid);
        Assert.Equal(FleetErrorKind.Forbidden, self.Kind);
        Assert.Equal(FleetErrorKind.Forbidden, unprivileged.Kind);
        Assert.Equal(ApprovalStatus.Executed, done.Status);
        Assert.Equal("revoked 12 certificates of 12 devices", done.Result);
        Assert.All(devices, id => Assert.True(certificates.ListAsync("device", id, CancellationToken.None).Result.Single().Revoked));
        var audit = await _fleet.AuditAsync();
        Assert.Contains(audit, e => e.Action == "certificate.revoked" && e.Actor == "sam+sue");
        Assert.Contains(audit, e => e.Action == "approval.approved" && e.Outcome == "denied" && e.Actor == "sam");
    }

    [Fact]
    public async Task A_request_nobody_decides_expires_and_a_denied_one_never_runs()
    {
        var (sam, _) = await _fleet.OperatorAsync("sam", "security-officer");
        var (sue, _) = await _fleet.OperatorAsync("sue", "security-officer");
        var approvals = _fleet.Get<ApprovalService>();
        var payload = JsonSerializer.Serialize(new BulkRevocation.Request(["d1"], "unspecified"), JsonSerializerOptions.Web);

        var denied = await approvals.RequestAsync("certificates.bulk-revoke", payload, "one", sam, CancellationToken.None);
        var late = await approvals.RequestAsync("certificates.bulk-revoke", payload, "two", sam, CancellationToken.None);
        var deniedResult = await approvals.DenyAsync(denied.Id, sue, "not justified", CancellationToken.None);
        var approveDenied = await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(denied.Id, sue, CancellationToken.None));
        _fleet.Clock.Advance(TimeSpan.FromHours(25));
        var expired = await Assert.ThrowsAsync<FleetException>(() => approvals.ApproveAsync(late.Id, sue, CancellationToken.None));

        Assert.Equal(ApprovalStatus.Denied, deniedResult.Status);
        Assert.Equal(FleetErrorKind.Conflict, approveDenied.Kind);
        Assert.Contains("expired", expired.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Expired, (await approvals.ListAsync(null, CancellationToken.None)).Single(a => a.Id == late.Id).Status);
    }
}
