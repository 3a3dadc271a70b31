using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// <c>rampart audit rotate-key</c> on a stopped node: the token-held audit key is replaced inside the
/// token, the node signs on with the new key, and <c>rampart audit verify</c> verifies the whole log with
/// the old public key and with the new one; an interrupted rotation stops the node until the command
/// runs again and finishes it.
/// </summary>
public sealed class AuditKeyRotationNodeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Rotating_a_token_held_audit_key_keeps_the_whole_log_verifiable_with_the_old_and_the_new_key()
    {
        var token = SoftHsm.Shared.Take();
        var settings = new Pkcs11Settings(token.Module, token.Label, token.PinFile);
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, new KeyStorageSettings(settings), TimeProvider.System);
        await (await TestNode.StartAsync(data)).DisposeAsync();
        var oldPublic = _temp.Sub("audit-old.pub.pem");
        File.Copy(Path.Combine(data, "audit-signing.pub.pem"), oldPublic);
        using var oldKey = NodeKeyring.LoadAuditPublicKey(oldPublic);

        var rotate = await RampartCli.RunAsync("audit", "rotate-key", "--data", data);
        Assert.True(rotate.ExitCode == 0, rotate.Output);
        Assert.Contains($"audit key rotated: {AuditSigningKey.KeyIdOf(oldKey)} -> ", rotate.Output, StringComparison.Ordinal);

        string newKeyId;
        await using (var node = await TestNode.StartAsync(data))
        {
            newKeyId = node.Node.Services.GetRequiredService<AuditSigningKey>().KeyId;
            await node.Node.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord("test", "device.updated", "device/d1", AuditOutcome.Success));
        }

        Assert.NotEqual(AuditSigningKey.KeyIdOf(oldKey), newKeyId);
        Assert.Contains($"-> {newKeyId}", rotate.Output, StringComparison.Ordinal);

        // The old key was destroyed in the token; the new one is the token's audit key, not extractable.
        using (var provider = Pkcs11KeyProvider.Open(settings))
        {
            Assert.False(provider.Exists(KeyNames.AuditNext));
            Assert.False(provider.Exists(KeyNames.AuditRetired));
            using var current = provider.Open(KeyNames.Audit);
            Assert.Equal(newKeyId, AuditSigningKey.KeyIdOf(current));
            Assert.Equal((true, false, true), provider.Protection(KeyNames.Audit));
        }

        var withOld = await RampartCli.RunAsync("audit", "verify", "--data", data, "--audit-key", oldPublic);
        var withNew = await RampartCli.RunAsync("audit", "verify", "--data", data);
        Assert.True(withOld.ExitCode == 0, withOld.Output);
        Assert.Contains("audit log intact", withOld.Output, StringComparison.Ordinal);
        Assert.True(withNew.ExitCode == 0, withNew.Output);
        Assert.Contains($"(audit key {newKeyId})", withNew.Output, StringComparison.Ordinal);

        // A stranger's key still verifies nothing.
        var stranger = _temp.Sub("stranger.pub.pem");
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(stranger, other.ExportSubjectPublicKeyInfoPem());
        }

        var withStranger = await RampartCli.RunAsync("audit", "verify", "--data", data, "--audit-key", stranger);
        Assert.Equal(1, withStranger.ExitCode);
    }

    [Fact]
    public async Task An_interrupted_rotation_stops_the_node_until_rotate_key_finishes_it()
    {
        var data = _temp.Sub("data");
        await (await TestNode.StartAsync(data)).DisposeAsync();
        using var oldKey = NodeKeyring.LoadAuditPublicKey(Path.Combine(data, "audit-signing.pub.pem"));

        var oldMlDsa = AuditMlDsaKey.LoadPublic(Path.Combine(data, "audit-signing-mldsa65.pub.pem"));

        // What a crash after the hand-over entry and before the promotion leaves behind (the companion first, as the rotator makes them).
        string nextKeyId;
        byte[] nextMlDsa;
        await using (var offline = await OfflineNode.OpenAsync(data, CancellationToken.None))
        {
            using (var directory = NodeDataDirectory.OpenExisting(data))
            using (var companion = AuditMlDsaKey.GenerateNext(directory))
            {
                nextMlDsa = companion.PublicKey;
            }

            using var next = offline.Keys.KeyProvider.Generate(KeyNames.AuditNext, ECCurve.NamedCurves.nistP256);
            nextKeyId = AuditSigningKey.KeyIdOf(next);
            await offline.Services.GetRequiredService<IAuditLog>().AppendAsync(AuditKeyRotation.Record("test", oldKey, next, oldMlDsa, nextMlDsa));
        }

        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));
        Assert.Contains("an audit key rotation was interrupted", refused.Message, StringComparison.Ordinal);

        var rotation = await AuditKeyRotator.RotateAsync(data, StorageSettings.Sqlite, "test", TimeProvider.System, CancellationToken.None);

        Assert.True(rotation.FinishedInterrupted);
        Assert.Equal((AuditSigningKey.KeyIdOf(oldKey), nextKeyId), (rotation.FromKeyId, rotation.ToKeyId));
        Assert.False(File.Exists(Path.Combine(data, "keys", KeyNames.AuditNext + ".key.pem")));
        await using var node = await TestNode.StartAsync(data);
        Assert.Equal(nextKeyId, node.Node.Services.GetRequiredService<AuditSigningKey>().KeyId);
        Assert.Equal(nextMlDsa, node.Node.Services.GetRequiredService<AuditSigningKey>().MlDsa65PublicKey);
        var verification = await new AuditVerifier(oldKey, oldMlDsa).VerifyAsync(node.Node.Services.GetRequiredService<IAuditStore>());
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(verification.CheckpointsVerified, verification.MlDsa65Verified);
    }
}
