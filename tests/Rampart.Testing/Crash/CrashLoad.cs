using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Enrollment;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Setup;

namespace Rampart.Testing.Crash;

/// <summary>
/// Concurrent operators and devices against a live node, as users drive it: admin API over the
/// admin socket, EST over HTTPS with the device SDK. Every success goes into the ledger; the first
/// failure ends a worker (the node is being killed). A refusal while the node is alive is a finding.
/// </summary>
internal sealed partial class CrashLoad(Uri https, string adminSocket, X509Certificate2 root, CrashOperation operations, CrashLedger ledger, string prefix)
{
    private int _unexpected;
    private string? _firstUnexpected;

    /// <summary>Failures that were not the node going away (refusals while it was alive).</summary>
    public int Unexpected => Volatile.Read(ref _unexpected);

    /// <summary>The first of them, for the report.</summary>
    public string? FirstUnexpected => _firstUnexpected;

    /// <summary>Runs <paramref name="workers"/> workers until <paramref name="stop"/> fires or the node dies.</summary>
    public async Task RunAsync(int workers, int seed, Func<bool> nodeAlive, CancellationToken stop)
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(() => WorkAsync(worker, new Random(seed + worker), nodeAlive, stop))));
        }
        finally
        {
            DisposeOfficers();
        }
    }

    private async Task WorkAsync(int worker, Random random, Func<bool> nodeAlive, CancellationToken stop)
    {
        using var admin = new AdminClient(adminSocket);
        var est = new EstClient(https, root);
        var enrolled = new List<(string Id, X509Certificate2 Certificate)>();
        var kinds = Enum.GetValues<CrashOperation>().Where(kind => kind is not (CrashOperation.All or CrashOperation.Updates) && operations.HasFlag(kind)).ToArray();
        string? production = null;
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var kind = enrolled.Count == 0 && operations.HasFlag(CrashOperation.Enroll) ? CrashOperation.Enroll : kinds[random.Next(kinds.Length)];
                try
                {
                    await RunOneAsync(kind, $"{prefix}-{worker}-{i}", admin, est, enrolled, random, () => production, release => production = release, stop);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException or OperationCanceledException
                    or AdminCommandException or EstException)
                {
                    if (nodeAlive() && !stop.IsCancellationRequested && exception is AdminCommandException or EstException)
                    {
                        Interlocked.Increment(ref _unexpected);
                        Interlocked.CompareExchange(ref _firstUnexpected, $"{kind}: {exception.Message}", null);
                    }

                    return;
                }
            }
        }
        finally
        {
            enrolled.ForEach(device => device.Certificate.Dispose());
        }
    }

    private async Task RunOneAsync(
        CrashOperation kind, string id, AdminClient admin, EstClient est, List<(string Id, X509Certificate2 Certificate)> enrolled, Random random,
        Func<string?> production, Action<string> produced, CancellationToken stop)
    {
        switch (kind)
        {
            case CrashOperation.Enroll:
                var added = await admin.SendAsync<AddDeviceResponse>(HttpMethod.Post, "api/v1/devices", stop, new AddDeviceRequest(id));
                Acknowledge(ledger.Added, id);
                var certificate = await est.EnrollAsync(id, added.BootstrapToken.Token, stop);
                enrolled.Add((id, certificate));
                Acknowledge(ledger.Issued, (id, certificate.SerialNumber));
                break;

            case CrashOperation.Renew when enrolled.Count > 0:
                var index = random.Next(enrolled.Count);
                var (device, current) = enrolled[index];
                var renewed = await est.ReenrollAsync(current, stop);
                enrolled[index] = (device, renewed);
                current.Dispose();
                Acknowledge(ledger.Issued, (device, renewed.SerialNumber));
                break;

            case CrashOperation.Revoke when enrolled.Count > 0:
                var (revokedDevice, revoked) = Take(enrolled, random);
                await admin.SendAsync<RevokeResponse>(HttpMethod.Post, "api/v1/certificates/revoke", stop, new RevokeRequest(Serial: revoked.SerialNumber, Reason: "keyCompromise"));
                Acknowledge(ledger.Revoked, revoked.SerialNumber);
                revoked.Dispose();
                _ = revokedDevice;
                break;

            case CrashOperation.Quarantine when enrolled.Count > 0:
                var (quarantined, quarantinedCertificate) = Take(enrolled, random);
                quarantinedCertificate.Dispose();
                await admin.SendAsync<DeviceResponse>(HttpMethod.Post, $"api/v1/devices/{quarantined}/quarantine", stop, new ReasonRequest("crash test"));
                Acknowledge(ledger.Quarantined, quarantined);

                // A release needs a posture matching the installed release (issue 14); this load sends none, so the device stays confined.
                try
                {
                    await admin.SendAsync<DeviceResponse>(HttpMethod.Post, $"api/v1/devices/{quarantined}/release", stop, new ReasonRequest("crash test"));
                    throw new InvalidOperationException($"device {quarantined} was released without a posture report");
                }
                catch (AdminCommandException refused) when (refused.Message.Contains("has sent no posture report", StringComparison.Ordinal))
                {
                    // Refused, as it must be.
                }

                break;

            case CrashOperation.Retire when enrolled.Count > 0:
                var (retired, retiredCertificate) = Take(enrolled, random);
                retiredCertificate.Dispose();
                await admin.SendAsync<RevokeResponse>(HttpMethod.Post, $"api/v1/devices/{retired}/retire", stop);
                Acknowledge(ledger.Retired, retired);
                break;

            case CrashOperation.Reissue:
                await admin.SendAsync<AddDeviceResponse>(HttpMethod.Post, "api/v1/devices", stop, new AddDeviceRequest(id));
                Acknowledge(ledger.Added, id);
                await admin.SendAsync<BootstrapTokenResponse>(HttpMethod.Post, $"api/v1/devices/{id}/bootstrap-token", stop);
                Acknowledge(ledger.Reissued, id);
                break;

            case CrashOperation.SetupToken:
                var setup = await admin.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", stop);
                Acknowledge(ledger.SetupTokens, setup.Expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                break;

            case CrashOperation.User:
                await OperatorAsync(id, admin, stop);
                break;

            case CrashOperation.Release:
                await ReleaseAsync(id, admin, stop);
                break;

            case CrashOperation.Promote:
                produced(await PromoteAsync(id, admin, stop));
                break;

            case CrashOperation.Rollout:
                await RolloutAsync(id, admin, est, random, production, produced, stop);
                break;

            default:
                // Nothing enrolled yet for an operation that needs a device: enroll one.
                await RunOneAsync(CrashOperation.Enroll, id, admin, est, enrolled, random, production, produced, stop);
                break;
        }
    }

    private async Task OperatorAsync(string id, AdminClient admin, CancellationToken stop)
    {
        // Operator names are lower case; a password the policy accepts (long, random, not the name).
        var name = "op-" + id.ToLowerInvariant();
        var password = "Crash-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var invitation = await admin.SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users", stop, new InviteRequest(name, "viewer"));
        using var anonymous = new AdminClient(https, null, root);
        await anonymous.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "api/v1/users/activate", stop, new ActivateRequest(invitation.Invitation, password));
        Acknowledge(ledger.Activated, name);
        var login = await anonymous.SendAsync<LoginResponse>(HttpMethod.Post, "api/v1/auth/login", stop, new LoginRequest(name, password));
        using var session = new AdminClient(https, login.Token, root);
        await session.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "api/v1/auth/logout", stop);
        Acknowledge(ledger.Sessions, (name, true));
    }

    private async Task<string> ReleaseAsync(string id, AdminClient admin, CancellationToken stop)
    {
        // A small random image, so every release names different bytes; the version carries the unique id.
        using var image = new ByteArrayContent(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096));
        var upload = await admin.SendAsync<UploadResponse>(HttpMethod.Post, "api/v1/releases/uploads", stop, image);
        var release = await admin.SendAsync<ReleaseResponse>(HttpMethod.Post, "api/v1/releases", stop,
            new Rampart.Server.Updates.NewRelease(Model, "1.0.0-" + id.ToLowerInvariant(), 1, null, upload.Sha256, null));
        Acknowledge(ledger.Releases, release.Id);
        return release.Id;
    }

    private static (string Id, X509Certificate2 Certificate) Take(List<(string Id, X509Certificate2 Certificate)> enrolled, Random random)
    {
        var index = random.Next(enrolled.Count);
        var taken = enrolled[index];
        enrolled.RemoveAt(index);
        return taken;
    }

    private void Acknowledge<T>(System.Collections.Concurrent.ConcurrentBag<T> bag, T value)
    {
        bag.Add(value);
        ledger.Acknowledge();
    }
}
