using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
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
}
