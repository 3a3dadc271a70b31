using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Attack.Battery;
using Rampart.Attack.Probes;
using Rampart.Device.Updates;
using Rampart.Updates.Firmware;
using Rampart.Updates.Tuf;

namespace Rampart.Attack.Attacks;

/// <summary>
/// What a device trusts after one honest refresh from the node: the TUF client the SDK uses, its
/// trusted-metadata store, and the node's repository behind a mirror the attacker controls.
/// </summary>
internal sealed class DeviceUpdateView : IDisposable
{
    private readonly HttpsTufRepository _node;

    private DeviceUpdateView(HttpsTufRepository node, byte[] root, MemoryTrustedMetadataStore store)
    {
        _node = node;
        Root = root;
        Store = store;
        Mirror = new TufMirror(node);
    }

    public byte[] Root { get; }

    public MemoryTrustedMetadataStore Store { get; }

    public TufMirror Mirror { get; }

    /// <summary>Provisions a device with the node's first root (as a factory would) and refreshes once, honestly.</summary>
    public static async Task<DeviceUpdateView> RefreshedAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var node = new HttpsTufRepository(context.Target.Https, context.Target.TrustedRoot, AttackContext.Patience);
        var root = await node.FetchAsync("metadata/1.root.json", TufClient.MaxRootLength, cancellationToken)
            ?? throw new AttackSkippedException("the node serves no TUF root at /tuf/metadata/1.root.json");
        var view = new DeviceUpdateView(node, root, MemoryTrustedMetadataStore.WithRoot(root));
        try
        {
            await view.Client(context.Time).RefreshAsync(cancellationToken);
        }
        catch (TufException refused)
        {
            view.Dispose();
            throw new AttackSkippedException($"the node's own repository does not verify ({refused.Message}): nothing to attack");
        }

        return view;
    }

    /// <summary>A client over the same trusted store (a device after a reboot), fetching through the mirror, at <paramref name="time"/>.</summary>
    public TufClient Client(TimeProvider time) => new(Mirror, Store, null, time);

    /// <summary>The <c>signed</c> part of the trusted metadata of <paramref name="role"/>.</summary>
    public JsonObject Signed(string role) =>
        (JsonNode.Parse(Store.Load(role, TufClient.MaxMetadataLength) ?? throw new InvalidOperationException($"no trusted {role}")) as JsonObject)?["signed"] as JsonObject
        ?? throw new InvalidOperationException($"the trusted {role} has no signed part");

    /// <summary>Refreshes once more; the refusal's message, or null when the client accepted.</summary>
    public static async Task<string?> RefusalAsync(TufClient client, CancellationToken cancellationToken) =>
        (await RefusedAsync(client, cancellationToken))?.Message;

    /// <summary>Refreshes once more; the refusal, or null when the client accepted.</summary>
    public static async Task<TufException?> RefusedAsync(TufClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.RefreshAsync(cancellationToken);
            return null;
        }
        catch (TufException refused)
        {
            return refused;
        }
    }

    public void Dispose() => _node.Dispose();
}

/// <summary>A mirror that stops updating: the device keeps getting today's metadata after it expired.</summary>
public sealed class TufFreeze : IAttack
{
    public string Name => "tuf-freeze";

    public string Description => "serve a device the node's current TUF metadata frozen, after its timestamp has expired";

    public AttackMapping Mapping { get; } = new("TUF expiry checked by the device (freeze attack, TUF spec §5.4.4)", Problems.Updates, Owasp.I4);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        using var device = await DeviceUpdateView.RefreshedAsync(context, cancellationToken);
        var expires = DateTimeOffset.Parse(device.Signed("timestamp")["expires"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        // The mirror freezes: every later request gets exactly what the node served today.
        device.Mirror.Freeze();

        var later = new FixedTime(expires.AddHours(1));
        // Held only when the device refuses *because* the metadata expired: any other refusal (the
        // mirror failing to serve a file) would prove nothing about freeze protection.
        var refusal = await DeviceUpdateView.RefusedAsync(device.Client(later), cancellationToken);
        return AttackOutcome.Judge(refusal?.Failure == TufFailure.Expired,
            $"timestamp expires {expires:u}; a device an hour later on the frozen mirror: {(refusal is null ? "accepted the frozen metadata" : $"{refusal.Failure}: {refusal.Message}")}");
    }
}

/// <summary>A mirror that replays old metadata as new: the current root as the next root, an older snapshot as the current one.</summary>
public sealed class TufRollback : IAttack
{
    public string Name => "tuf-rollback";

    public string Description => "replay the node's current root as its next version and an older snapshot as the current one";

    public AttackMapping Mapping { get; } = new("TUF versions only move forward on the device (rollback attack, TUF spec §5.3.5, §5.5.3)", Problems.Updates, Owasp.I4);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        using var device = await DeviceUpdateView.RefreshedAsync(context, cancellationToken);
        var evidence = new List<string>();
        var held = true;

        // 1. The trusted root N offered as N+1 (§5.3.5: the new root's version must be N+1).
        var rootVersion = device.Signed("root")["version"]!.GetValue<long>();
        var currentRoot = device.Store.Load("root", TufClient.MaxRootLength)!;
        device.Mirror.Replace($"metadata/{rootVersion + 1}.root.json", currentRoot);
        var refusal = await DeviceUpdateView.RefusalAsync(device.Client(context.Time), cancellationToken);
        held &= refusal is not null;
        evidence.Add($"root {rootVersion} replayed as {rootVersion + 1}: {refusal ?? "accepted"}");
        device.Mirror.Replace($"metadata/{rootVersion + 1}.root.json", null);

        // 2. An older snapshot under the current one's name (§5.5.3: its version must be the one the timestamp names).
        var snapshotVersion = device.Signed("timestamp")["meta"]?["snapshot.json"]?["version"]?.GetValue<long>() ?? 0;
        var older = snapshotVersion > 1
            ? await device.Mirror.Upstream.FetchAsync($"metadata/{snapshotVersion - 1}.snapshot.json", TufClient.MaxMetadataLength, cancellationToken)
            : null;
        if (older is null)
        {
            evidence.Add($"snapshot {snapshotVersion}: no older snapshot published to replay");
        }
        else
        {
            device.Store.Delete("snapshot"); // a device that lost its copy must still refuse the older one
            device.Mirror.Replace($"metadata/{snapshotVersion}.snapshot.json", older);
            refusal = await DeviceUpdateView.RefusalAsync(device.Client(context.Time), cancellationToken);
            held &= refusal is not null;
            evidence.Add($"snapshot {snapshotVersion - 1} served as {snapshotVersion}: {refusal ?? "accepted"}");
        }

        return AttackOutcome.Judge(held, string.Join("; ", evidence));
    }
}

/// <summary>A released manifest with one of its two signatures stripped, or its fields changed under both.</summary>
public sealed class FirmwareSignatureStripping : IAttack
{
    public string Name => "firmware-signature-stripping";

    public string Description => "take a released firmware manifest and strip its LMS or ECDSA signature, or raise its svn under the old signatures";

    public AttackMapping Mapping { get; } = new("firmware manifests need both signatures (ECDSA P-256 and LMS) under the pinned keys", Problems.Updates, Owasp.I4);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        using var device = await DeviceUpdateView.RefreshedAsync(context, cancellationToken);
        var manifestPath = (device.Signed("targets")["targets"] as JsonObject)?
            .FirstOrDefault(target => target.Value?["custom"]?["kind"]?.GetValue<string>() == "manifest").Key
            ?? throw new AttackSkippedException("no firmware release is published yet: add one (rampart release add) to attack its manifest");
        using var http = context.Https();
        var keys = await http.GetFromJsonAsync<JsonObject>("firmware/keys.json", cancellationToken)
            ?? throw new AttackSkippedException("the node serves no firmware keys");
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(keys["ecdsaP256"]!.GetValue<string>());
        var lms = Convert.FromHexString(keys["lms"]!.GetValue<string>());
        var signed = await device.Client(context.Time).DownloadTargetAsync(manifestPath, cancellationToken);

        var (genuine, why) = SignedManifest.Verify(signed, ecdsa, lms, 0);
        if (genuine is null)
        {
            return AttackOutcome.NotHeld($"the genuine manifest {manifestPath} does not verify ({why}): the attack proves nothing");
        }

        (string What, Action<JsonObject> Tamper)[] tampers =
        [
            ("LMS signature stripped", envelope => envelope["signatures"]!.AsObject().Remove("lms")),
            ("ECDSA signature stripped", envelope => envelope["signatures"]!.AsObject().Remove("ecdsa-p256")),
            ("both signatures stripped", envelope => envelope.Remove("signatures")),
            ("svn raised under the old signatures", envelope => envelope["manifest"]!["svn"] = genuine.SecurityVersion + 1000),
        ];
        var evidence = new List<string> { $"genuine {manifestPath} verifies" };
        var held = true;
        foreach (var (what, tamper) in tampers)
        {
            var envelope = JsonNode.Parse(signed)!.AsObject();
            tamper(envelope);
            var (accepted, refusal) = SignedManifest.Verify(Encoding.UTF8.GetBytes(envelope.ToJsonString()), ecdsa, lms, 0);
            held &= accepted is null;
            evidence.Add($"{what}: {refusal ?? "accepted"}");
        }

        return AttackOutcome.Judge(held, string.Join("; ", evidence));
    }
}

/// <summary>A clock stopped at one instant (the device's clock after the metadata expired).</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
