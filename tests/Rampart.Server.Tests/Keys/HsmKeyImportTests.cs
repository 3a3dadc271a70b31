using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Pki.Trust;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
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
    public async Task Ca_init_adopts_key_pairs_generated_beforehand_with_pkcs11_tool_and_the_node_enrolls_devices_with_them()
    {
        var token = SoftHsm.Shared.Take();
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:secp384r1", "--label", "corp-root", "--id", "0a01");
        await Pkcs11ToolAsync(token, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "corp-issuing", "--id", "0b02");
        var rootPoint = await PublicPointAsync(token, "corp-root");
        var issuingPoint = await PublicPointAsync(token, "corp-issuing");

        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, Pkcs11(token), TimeProvider.System, new Dictionary<string, Pkcs11KeySelector>
        {
            [KeyNames.RootCa] = Pkcs11KeySelector.Parse("label:corp-root"),
            [KeyNames.IssuingCa] = Pkcs11KeySelector.Parse("id:0b02"),
        });

        // The certificates carry the very public keys pkcs11-tool made, and the pairs now bear Rampart's labels.
        using var rootCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(data, "ca-root.crt.pem")));
        using var issuingCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(data, "ca-issuing.crt.pem")));
        Assert.EndsWith(PointHex(rootCertificate), rootPoint, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith(PointHex(issuingCertificate), issuingPoint, StringComparison.OrdinalIgnoreCase);
        var objects = (await Pkcs11ToolAsync(token, "--list-objects")).Output;
        Assert.Contains("label:      rampart-ca-root", objects, StringComparison.Ordinal);
        Assert.Contains("label:      rampart-ca-issuing", objects, StringComparison.Ordinal);
        Assert.DoesNotContain("corp-issuing", objects, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "keys", "ca-issuing.key.pem")));

        await using var node = await TestNode.StartAsync(data);
        var services = node.Node.Services;
        var authority = services.GetRequiredService<CertificateAuthority>();
        var (_, bootstrap) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("adopted-1"), "test", CancellationToken.None);
        using var enrolled = await new EstClient(node.Node.HttpsUri, X509CertificateLoader.LoadCertificate(authority.Root.RawData))
            .EnrollAsync("adopted-1", bootstrap.Token, CancellationToken.None);
        Assert.True(FixedRootChain.Verify(enrolled, authority.Root, [authority.Issuing]));
        Assert.EndsWith(PointHex(authority.Issuing), issuingPoint, StringComparison.OrdinalIgnoreCase);
    }

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

    private static KeyStorageSettings Pkcs11(SoftHsmToken token) => new(new Pkcs11Settings(token.Module, token.Label, token.PinFile));

    // The operator's own tool; the test PIN as a flag is fine here (Rampart itself never takes a PIN as a flag).
    private static async Task<(int ExitCode, string Output)> Pkcs11ToolAsync(SoftHsmToken token, params string[] arguments)
    {
        var result = await RunningProcess.RunAsync("pkcs11-tool", ["--module", token.Module, "--token-label", token.Label, "--login", "--pin", SoftHsm.Pin, .. arguments], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"pkcs11-tool {string.Join(' ', arguments)}: {result.Output}");
        return result;
    }

    // The public key object's CKA_EC_POINT as pkcs11-tool lists it (DER OCTET STRING around 04 || X || Y).
    private static async Task<string> PublicPointAsync(SoftHsmToken token, string label)
    {
        var listing = (await Pkcs11ToolAsync(token, "--list-objects", "--type", "pubkey")).Output;
        var block = listing.Split("Public Key Object", StringSplitOptions.RemoveEmptyEntries)
            .Single(candidate => candidate.Contains($"label:      {label}\n", StringComparison.Ordinal));
        var line = block.Split('\n').Single(candidate => candidate.TrimStart().StartsWith("EC_POINT:", StringComparison.Ordinal));
        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string PointHex(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPublicKey()!;
        var point = key.ExportParameters(false).Q;
        return "04" + Convert.ToHexString(point.X!) + Convert.ToHexString(point.Y!);
    }
}
