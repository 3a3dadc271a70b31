using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Updates;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.Keys;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Testing.Servers;
using Rampart.Updates.Firmware;
using Rampart.Updates.Releases;
using Rampart.Updates.Tuf;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// The update pipeline's ECDSA keys — the four TUF role keys and the firmware manifest key — generated
/// inside a PKCS#11 token (SoftHSM2) by a node initialised like <c>rampart ca init --pkcs11-module …</c>:
/// a release signed with them verifies with the device SDK's verifiers (Rampart's TUF client over HTTPS
/// and the manifest check) and with tuf-js, before and after a restart on the same token.
/// </summary>
public sealed class HsmUpdateKeysTests : IDisposable
{
    private static readonly string[] Roles = ["root", "targets", "snapshot", "timestamp"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_release_signed_with_token_held_tuf_and_firmware_keys_verifies_with_the_sdk_and_with_tuf_js_across_a_restart()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, new KeyStorageSettings(new Pkcs11Settings(token.Module, token.Label, token.PinFile), UpdateKeysInToken: true), TimeProvider.System);

        byte[] rootMetadata;
        JsonObject pinnedKeys;
        await using (var node = await TestNode.StartAsync(data))
        {
            var services = node.Node.Services;
            var release = await AddReleaseAsync(services, "meter", "2.0.0", svn: 3);
            rootMetadata = File.ReadAllBytes(Path.Combine(data, "tuf", "metadata", "1.root.json"));
            pinnedKeys = await services.GetRequiredService<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None);

            // Every role key and the firmware key are in the token, sensitive and never extractable; no key file exists.
            var tokenKeys = Assert.IsType<Pkcs11KeyProvider>(services.GetRequiredService<NodeKeyring>().KeyProvider);
            var root = JsonNode.Parse(rootMetadata)!["signed"]!;
            foreach (var role in Roles)
            {
                var name = KeyNames.Tuf(role);
                Assert.False(File.Exists(Path.Combine(data, "keys", name + ".key.pem")), name);
                Assert.Equal((true, false, true), tokenKeys.Protection(name));
                using var key = tokenKeys.Open(name);
                Assert.Equal(TufKey.FromEcdsa(key).KeyId, Assert.Single(root["roles"]![role]!["keyids"]!.AsArray())!.GetValue<string>());
            }

            Assert.False(File.Exists(Path.Combine(data, "keys", "firmware-ecdsa.key.pem")));
            Assert.Equal((true, false, true), tokenKeys.Protection(KeyNames.FirmwareEcdsa));
            using (var firmwareKey = tokenKeys.Open(KeyNames.FirmwareEcdsa))
            {
                Assert.Equal(firmwareKey.ExportSubjectPublicKeyInfoPem() + "\n", pinnedKeys["ecdsaP256"]!.GetValue<string>());
            }

            await VerifyWithSdkAsync(node, rootMetadata, pinnedKeys, release);
            await VerifyWithTufJsAsync(node, _temp.Sub("tufjs-1"), $"{release.Id}.manifest.json");

            var inventory = Rampart.Server.Keys.Inventory.CryptoInventory.Read(data).ToDictionary(item => item.Class);
            Assert.All(Roles, role => Assert.Equal("pkcs11", inventory[KeyNames.Tuf(role)].Location));
            Assert.Equal("pkcs11", inventory["firmware-ecdsa"].Location);
            Assert.Contains($"label {Pkcs11KeyProvider.LabelPrefix}firmware-ecdsa", inventory["firmware-ecdsa"].Where, StringComparison.Ordinal);
        }

        // A plain restart opens the same token keys: the next release is signed by the same keys the devices pinned.
        await using (var node = await TestNode.StartAsync(data))
        {
            var release = await AddReleaseAsync(node.Node.Services, "meter", "2.1.0", svn: 4);
            var again = await node.Node.Services.GetRequiredService<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None);
            Assert.Equal(pinnedKeys["ecdsaP256"]!.GetValue<string>(), again["ecdsaP256"]!.GetValue<string>());
            Assert.False(File.Exists(Path.Combine(data, "keys", "tuf-timestamp.key.pem")));
            await VerifyWithSdkAsync(node, rootMetadata, pinnedKeys, release);
            await VerifyWithTufJsAsync(node, _temp.Sub("tufjs-2"), $"{release.Id}.bin");
        }
    }

    [Fact]
    public void Keys_recorded_before_update_keys_could_be_in_a_token_stay_files()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, new KeyStorageSettings(new Pkcs11Settings(token.Module, token.Label, token.PinFile)), TimeProvider.System);
        var path = Path.Combine(data, KeyStorageSettings.FileName);
        Assert.Contains("\"updateKeysInToken\": false", File.ReadAllText(path), StringComparison.Ordinal);

        // A key-storage.json written before the field existed has none: the update keys are files.
        var legacy = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        legacy.Remove("updateKeysInToken");
        File.WriteAllText(path, legacy.ToJsonString());
        using var directory = Rampart.Server.DataDirectory.NodeDataDirectory.OpenExisting(data);
        var settings = KeyStorageSettings.Load(directory);
        Assert.False(settings.UpdateKeysInToken);
        Assert.Equal(token.Label, settings.Pkcs11!.TokenLabel);
    }

    private static async Task<Release> AddReleaseAsync(IServiceProvider services, string model, string version, long svn)
    {
        var uploads = services.GetRequiredService<ReleaseUploads>();
        var (sha, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(8_000)), CancellationToken.None);
        return await services.GetRequiredService<ReleaseService>().AddAsync(new NewRelease(model, version, svn, ["rev-b"], sha, null), "release-engineer", CancellationToken.None);
    }

    // The SDK's path on a device: TUF client over HTTPS from the root pinned at provisioning, then the
    // manifest's ECDSA and LMS signatures against the firmware keys pinned beside it, and the image against the manifest.
    private static async Task VerifyWithSdkAsync(TestNode node, byte[] trustedRoot, JsonObject pinnedKeys, Release release)
    {
        var caRoot = X509CertificateLoader.LoadCertificate(node.Node.Services.GetRequiredService<CertificateAuthority>().Root.RawData);
        using var repository = new HttpsTufRepository(node.Node.HttpsUri, caRoot);
        var client = new TufClient(repository, trustedRoot, TimeProvider.System);
        var manifest = await client.DownloadTargetAsync(release.ManifestTarget, CancellationToken.None);
        var image = await client.DownloadTargetAsync(release.ImageTarget, CancellationToken.None);

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pinnedKeys["ecdsaP256"]!.GetValue<string>());
        var (verified, refusal) = SignedManifest.Verify(manifest, ecdsa, Convert.FromHexString(pinnedKeys["lms"]!.GetValue<string>()), installedSecurityVersion: 1, image);
        Assert.True(verified is not null, refusal);
        Assert.Equal((release.Version, release.SecurityVersion), (verified!.Version, verified.SecurityVersion));

        // A manifest whose signed bytes changed fails the same check (the verification can fail).
        var forged = JsonNode.Parse(manifest)!.AsObject();
        forged["manifest"]!["svn"] = release.SecurityVersion + 100;
        Assert.NotNull(SignedManifest.Verify(System.Text.Encoding.UTF8.GetBytes(forged.ToJsonString()), ecdsa, Convert.FromHexString(pinnedKeys["lms"]!.GetValue<string>()), 1, image).Refusal);
    }

    private static async Task VerifyWithTufJsAsync(TestNode node, string work, string target)
    {
        var data = node.Node.DataDirectory;
        var (exit, output) = await RunningProcess.RunAsync("node",
            [Path.Combine(TestFiles.RepositoryRoot, "tests", "interop", "tufjs-update.mjs"), node.Node.HttpsUri.ToString().TrimEnd('/'),
                Path.Combine(data, "tuf", "metadata", "1.root.json"), work, target], TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["NODE_EXTRA_CA_CERTS"] = Path.Combine(data, "ca-root.crt.pem") });
        Assert.True(exit == 0, output);
        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(result.TryGetProperty("ok", out _), result.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(data, "tuf", "targets"), "*." + target).Single()))),
            result.GetProperty("sha256").GetString());
    }
}
