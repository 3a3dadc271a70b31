using System.Security.Cryptography;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Testing.Crash;

/// <summary>
/// The update operations of the crash load: four-eyes promotion by two security officers (each
/// activated with password and TOTP and logged in over HTTPS, once per round), and rollouts of a
/// production release to a device enrolled for them, steered through pause, resume and cancel.
/// </summary>
internal sealed partial class CrashLoad
{
    // The crash load's releases and the devices enrolled for their rollouts share one model.
    private const string Model = "crash";
    private readonly SemaphoreSlim _officersLock = new(1, 1);
    private (AdminClient Requester, AdminClient Approver)? _officers;

    /// <summary>Creates a release, has one officer request its promotion and the other approve it; returns the release id.</summary>
    private async Task<string> PromoteAsync(string id, AdminClient admin, CancellationToken stop)
    {
        var release = await ReleaseAsync(id, admin, stop);
        var (requester, approver) = await OfficersAsync(admin, stop);
        var approval = await requester.SendAsync<ApprovalResponse>(HttpMethod.Post, $"api/v1/releases/{release}/promote", stop);
        var decided = await approver.SendAsync<ApprovalResponse>(HttpMethod.Post, $"api/v1/approvals/{approval.Id}/approve", stop);
        if (decided.Status != "executed")
        {
            throw new AdminCommandException($"approval {approval.Id} of {release} is {decided.Status}: {decided.Result}");
        }

        Acknowledge(ledger.Promoted, release);
        return release;
    }

    /// <summary>
    /// Enrolls a device of the crash model with a tag of its own, rolls a production release out to it
    /// (the worker's last, or a new one), then pauses, resumes or cancels it at random. Every state
    /// acknowledged, and the one being asked for, goes into the ledger.
    /// </summary>
    private async Task RolloutAsync(string id, AdminClient admin, EstClient est, Random random, Func<string?> production, Action<string> produced, CancellationToken stop)
    {
        if (production() is not { } release)
        {
            release = await PromoteAsync(id + "-p", admin, stop);
            produced(release);
        }

        var device = id.ToLowerInvariant() + "-r";
        var added = await admin.SendAsync<AddDeviceResponse>(HttpMethod.Post, "api/v1/devices", stop, new AddDeviceRequest(device, Model: Model, Tags: [device]));
        Acknowledge(ledger.Added, device);
        using (var certificate = await est.EnrollAsync(device, added.BootstrapToken.Token, stop))
        {
            Acknowledge(ledger.Issued, (device, certificate.SerialNumber));
        }

        // The device never answers: a day's timeout keeps the engine from failing it while the load runs.
        var rollout = await admin.SendAsync<RolloutResponse>(HttpMethod.Post, "api/v1/rollouts", stop,
            new NewRolloutRequest(release, $"model={Model},tag={device}", 1, null, [100], null, null, null, 86_400));
        var states = ledger.Rollouts.GetOrAdd(rollout.Id, _ => new CrashLedger.RolloutStates());
        states.Acknowledged("running");
        ledger.Acknowledge();
        string[][] paths = [["pause"], ["pause", "resume"], ["cancel"], ["pause", "cancel"], ["pause", "resume", "cancel"]];
        foreach (var verb in paths[random.Next(paths.Length)])
        {
            var state = verb switch { "pause" => "paused", "resume" => "running", _ => "cancelled" };
            states.Asking(state);
            await admin.SendAsync<RolloutResponse>(HttpMethod.Post, $"api/v1/rollouts/{rollout.Id}/{verb}", stop);
            states.Acknowledged(state);
            ledger.Acknowledge();
        }
    }

    // Two security officers for this round, made once and shared by the workers.
    private async Task<(AdminClient Requester, AdminClient Approver)> OfficersAsync(AdminClient admin, CancellationToken stop)
    {
        await _officersLock.WaitAsync(stop);
        try
        {
            _officers ??= (await OfficerAsync("so-" + prefix.ToLowerInvariant() + "-a", admin, stop), await OfficerAsync("so-" + prefix.ToLowerInvariant() + "-b", admin, stop));
            return _officers.Value;
        }
        finally
        {
            _officersLock.Release();
        }
    }

    // Invited through the admin socket; activated, TOTP confirmed and logged in over HTTPS as a user would.
    private async Task<AdminClient> OfficerAsync(string name, AdminClient admin, CancellationToken stop)
    {
        var password = "Crash-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var invitation = await admin.SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users", stop, new InviteRequest(name, "security-officer"));
        using var anonymous = new AdminClient(https, null, root);
        var activated = await anonymous.SendAsync<ActivateResponse>(HttpMethod.Post, "api/v1/users/activate", stop, new ActivateRequest(invitation.Invitation, password));
        var secret = Base32.Decode(activated.TotpSecret ?? throw new AdminCommandException($"{name} was activated without a TOTP secret"));
        var step = TotpGenerator.StepOf(DateTimeOffset.UtcNow);
        await anonymous.SendAsync<object>(HttpMethod.Post, "api/v1/users/activate/confirm", stop, new ConfirmRequest(invitation.Invitation, Code(secret, step)));
        Acknowledge(ledger.Activated, name);

        // A later step than the confirmation's: a TOTP step is accepted once per account.
        var login = await anonymous.SendAsync<LoginResponse>(HttpMethod.Post, "api/v1/auth/login", stop, new LoginRequest(name, password, Code(secret, step + 1)));
        return new AdminClient(https, login.Token, root);
    }

    private static string Code(byte[] secret, long step) => TotpGenerator.Code(secret, step, HashAlgorithmName.SHA1);

    private void DisposeOfficers()
    {
        _officers?.Requester.Dispose();
        _officers?.Approver.Dispose();
    }
}
