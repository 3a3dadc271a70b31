using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Server.Updates;
using Rampart.Updates.Rollouts;
using Spectre.Console;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart demo --rollout</c>: once the fleet is up, a firmware release is signed, promoted by two
/// (demo) security officers and rolled out in waves; bad-update devices roll back and the abort
/// criterion judges them.
/// </summary>
internal sealed class DemoRollout(IServiceProvider services, string model)
{
    private static readonly OperatorIdentity Requester = Officer("demo-officer-1");
    private static readonly OperatorIdentity Approver = Officer("demo-officer-2");

    public long? Id { get; private set; }

    /// <summary>Signs and publishes a release, has it promoted by two people, and starts the rollout.</summary>
    public async Task StartAsync(int devices, CancellationToken cancellationToken)
    {
        var uploads = services.GetRequiredService<ReleaseUploads>();
        var (image, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(64 * 1024)), cancellationToken);
        // The release carries its SBOM, so the supply-chain release gate (on, as on every node) can judge the promotion.
        var (sbom, _) = await uploads.StoreAsync(new MemoryStream(Encoding.UTF8.GetBytes(Sbom("2.0.0"))), cancellationToken);
        var release = await services.GetRequiredService<ReleaseService>().AddAsync(new NewRelease(model, "2.0.0", 2, [], image, sbom), "demo", cancellationToken);
        AnsiConsole.MarkupLine($"Release {release.Id} signed (ECDSA P-256 + LMS) and published through TUF with its CycloneDX SBOM; image sha256 {release.ImageSha256[..16]}…");

        var approvals = services.GetRequiredService<ApprovalService>();
        var request = await approvals.RequestAsync("releases.promote", release.Id, $"promote {release.Id}", Requester, cancellationToken);
        await approvals.ApproveAsync(request.Id, Approver, cancellationToken);
        AnsiConsole.MarkupLine($"Four-eyes: promotion requested by {Requester.Name}, approved by {Approver.Name} (on a real node: rampart approvals approve)");

        var policy = new RolloutPolicy
        {
            CanaryPercent = 10, Steps = [50, 100], RatePerMinute = Math.Max(60, devices * 6), AbortFailurePercent = 20,
            MinimumExecuted = Math.Max(2, devices / 20), DeviceTimeout = TimeSpan.FromMinutes(2),
        };
        var rollout = await services.GetRequiredService<RolloutService>().CreateAsync(release.Id, $"model={model}", policy, "demo", cancellationToken);
        Id = rollout.Rollout.Id;
        AnsiConsole.MarkupLine($"Rollout {Id}: {rollout.Counts.Open} devices in {rollout.Rollout.WaveCount} waves (canary 10 %, then 50 %, 100 %), " +
            $"{policy.RatePerMinute}/min, aborts above {policy.AbortFailurePercent} % failed after {policy.MinimumExecuted}");
    }

    /// <summary>True once the rollout has started and reached an end (completed, aborted, cancelled).</summary>
    public async Task<bool> EndedAsync() =>
        Id is { } id && (await services.GetRequiredService<RolloutService>().StatusAsync(id, CancellationToken.None)).Rollout.State
            is RolloutState.Completed or RolloutState.Aborted or RolloutState.Cancelled;

    /// <summary>One status line.</summary>
    public async Task<string?> StatusAsync(CancellationToken cancellationToken)
    {
        if (Id is not { } id)
        {
            return null;
        }

        var status = await services.GetRequiredService<RolloutService>().StatusAsync(id, cancellationToken);
        var counts = string.Join(", ", status.Counts.ByState.Where(p => p.Value > 0).Select(p => $"{p.Key.Name()} {p.Value}"));
        return $"rollout {id} {status.Rollout.State.ToString().ToLowerInvariant()} (wave {status.Rollout.CurrentWave + 1}/{status.Rollout.WaveCount}): {counts}" +
            (status.Rollout.Reason is { } reason && status.Rollout.State == RolloutState.Aborted ? $" — {reason}" : string.Empty);
    }

    // What the demo firmware is made of (CycloneDX 1.6): the gate needs a schema-valid SBOM; the demo imports no vulnerability data, so nothing in it is open.
    private string Sbom(string version) => $$$"""
        {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
         "metadata":{"component":{"type":"firmware","name":"{{{model}}}-firmware","version":"{{{version}}}","bom-ref":"firmware"}},
         "components":[
           {"type":"library","name":"busybox","version":"1.36.1","purl":"pkg:generic/busybox@1.36.1","bom-ref":"busybox","licenses":[{"license":{"id":"GPL-2.0-only"}}]},
           {"type":"library","name":"openssl","version":"3.0.15","purl":"pkg:generic/openssl@3.0.15","bom-ref":"openssl","licenses":[{"license":{"id":"Apache-2.0"}}]},
           {"type":"library","name":"mosquitto","version":"2.0.20","purl":"pkg:generic/mosquitto@2.0.20","bom-ref":"mosquitto","licenses":[{"license":{"id":"EPL-2.0"}}]}],
         "dependencies":[{"ref":"firmware","dependsOn":["busybox","openssl","mosquitto"]},{"ref":"mosquitto","dependsOn":["openssl"]}]}
        """;

    private static OperatorIdentity Officer(string name) => new(name, OperatorRole.SecurityOfficer.Name, OperatorRole.SecurityOfficer.Permissions, [], []);
}
