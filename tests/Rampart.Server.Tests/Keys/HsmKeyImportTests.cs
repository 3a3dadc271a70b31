using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Pki.Trust;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// <c>rampart ca init --root-key … --issuing-key …</c>: CA keys generated in the token beforehand by
/// the operator with OpenSC's pkcs11-tool are adopted instead of generated — checked (sensitive,
/// never extractable, a signing pair) and relabelled — and the node issues with them; an
/// extractable key is refused with the reason and leaves nothing behind.
/// </summary>
public sealed class HsmKeyImportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_extractable_key_is_refused_with_the_reason_and_the_token_and_directory_are_left_as_they_were()
    {
        var token = SoftHsm.Shared.Take();
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:secp384r1", "--label", "good-root", "--id", "0c01");
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "soft-issuing", "--id", "0c02", "--extractable");
        var data = _temp.Sub("data");

        var refused = Assert.Throws<NodeStartupException>(() => CaInitializer.Initialize(data, Pkcs11(token), TimeProvider.System, new Dictionary<string, Pkcs11KeySelector>
        {
            [KeyNames.RootCa] = Pkcs11KeySelector.Parse("good-root"),
            [KeyNames.IssuingCa] = Pkcs11KeySelector.Parse("soft-issuing"),
        }));
        var missing = Assert.Throws<NodeStartupException>(() => CaInitializer.Initialize(_temp.Sub("other"), Pkcs11(token), TimeProvider.System, new Dictionary<string, Pkcs11KeySelector>
        {
            [KeyNames.IssuingCa] = Pkcs11KeySelector.Parse("id:ffff"),
        }));

        Assert.Contains("CKA_EXTRACTABLE is true", refused.Message, StringComparison.Ordinal);
        Assert.Contains("label 'soft-issuing'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("holds no private key with id FFFF", missing.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "ca-root.crt.pem")));
        Assert.False(File.Exists(Path.Combine(data, KeyStorageSettings.FileName)));

        // The root that was adopted before the refusal has its own label back; nothing is labelled rampart-*.
        var objects = (await Pkcs11ToolAsync(token, "--list-objects")).Output;
        Assert.Contains("label:      good-root", objects, StringComparison.Ordinal);
        Assert.DoesNotContain("rampart-", objects, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_made_with_pkcs11_tool_are_adopted_by_ca_init_and_the_node_enrolls_a_device_and_serves_mtls_on_them()
    {
        var token = SoftHsm.Shared.Take();
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:secp384r1", "--label", "corp-root", "--id", "0a01");
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "corp-issuing", "--id", "0b02");
        var data = _temp.Sub("data");

        // The real command line, as the operator runs it: one key by label, the other by CKA_ID.
        var init = await EndToEnd.RampartCli.RunAsync("ca", "init", "--pkcs11-module", token.Module, "--token-label", token.Label, "--pin-file", token.PinFile,
            "--data", data, "--root-key", "label:corp-root", "--issuing-key", "id:0b02");
        Assert.True(init.ExitCode == 0, init.Output);
        Assert.DoesNotContain(SoftHsm.Pin, init.Output, StringComparison.Ordinal);

        // The certificates carry exactly the keys pkcs11-tool made, now labelled for the node; nothing new was generated for the CA.
        using var rootCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-root.crt.pem"));
        using var issuingCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(data, "ca-issuing.crt.pem"));
        Assert.True(await SignsForAsync(token, "0a01", rootCertificate), "the root certificate carries the key pkcs11-tool made with id 0a01");
        Assert.True(await SignsForAsync(token, "0b02", issuingCertificate), "the issuing certificate carries the key pkcs11-tool made with id 0b02");
        var objects = (await Pkcs11ToolAsync(token, "--list-objects")).Output;
        Assert.Contains("label:      rampart-ca-root", objects, StringComparison.Ordinal);
        Assert.Contains("label:      rampart-ca-issuing", objects, StringComparison.Ordinal);
        Assert.DoesNotContain("corp-", objects, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "keys", "ca-issuing.key.pem")));

        await using var node = await TestNode.StartAsync(data, new Dictionary<string, string?>(Gateway.GatewayNode.IngestService));
        var services = node.Node.Services;
        var authority = services.GetRequiredService<CertificateAuthority>();
        Assert.Equal(rootCertificate.Thumbprint, authority.Root.Thumbprint);
        var (_, bootstrap) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("adopted-1"), "test", CancellationToken.None);
        using var root = X509CertificateLoader.LoadCertificate(authority.Root.RawData);
        using var enrolled = await new EstClient(node.Node.HttpsUri, root).EnrollAsync("adopted-1", bootstrap.Token, CancellationToken.None);
        Assert.True(FixedRootChain.Verify(enrolled, authority.Root, [authority.Issuing]));
        Assert.Equal(issuingCertificate.Thumbprint, authority.Issuing.Thumbprint);

        await using var device = await KeyTestDevices.ConnectAndPublishAsync(node, "adopted-1", root, enrolled);

        // The adoption is on the record.
        var initialized = new List<AuditEntry>();
        await foreach (var entry in services.GetRequiredService<NodeStores>().Audit.ReadEntriesAsync(1, CancellationToken.None))
        {
            if (entry.Action == "ca.initialized")
            {
                initialized.Add(entry);
            }
        }

        Assert.Matches("\"adopted-keys\":\\s*\"ca-root,ca-issuing\"", Assert.Single(initialized).Details);
    }

    // Independent of Rampart's PKCS#11 code: pkcs11-tool has the token sign a random digest with the key of
    // that CKA_ID (CKM_ECDSA, r || s), and the certificate's public key must verify it.
    private async Task<bool> SignsForAsync(SoftHsmToken token, string id, X509Certificate2 certificate)
    {
        var digest = RandomNumberGenerator.GetBytes(32);
        var input = _temp.Sub($"digest-{id}");
        var output = _temp.Sub($"signature-{id}");
        await File.WriteAllBytesAsync(input, digest);
        await Pkcs11ToolAsync(token, "--sign", "--mechanism", "ECDSA", "--id", id, "--input-file", input, "--output-file", output);
        using var key = certificate.GetECDsaPublicKey()!;
        return key.VerifyHash(digest, await File.ReadAllBytesAsync(output));
    }

    private static KeyStorageSettings Pkcs11(SoftHsmToken token) => new(new Pkcs11Settings(token.Module, token.Label, token.PinFile));

    // The operator's own tool; the test PIN as a flag is fine here (Rampart itself never takes a PIN as a flag).
    private static async Task<(int ExitCode, string Output)> Pkcs11ToolAsync(SoftHsmToken token, params string[] arguments)
    {
        var result = await RunningProcess.RunAsync("pkcs11-tool", ["--module", token.Module, "--token-label", token.Label, "--login", "--pin", SoftHsm.Pin, .. arguments], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"pkcs11-tool {string.Join(' ', arguments)}: {result.Output}");
        return result;
    }
}
