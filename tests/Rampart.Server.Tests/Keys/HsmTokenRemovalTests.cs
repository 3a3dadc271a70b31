using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.Keys;
using Rampart.Storage;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Keys;

/// <summary>
/// Runs alone: bringing a token back re-initialises the SoftHSM module, which every SoftHSM user in
/// the test process shares (PKCS#11 v2.40 §5.4: C_Initialize is process-wide).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HsmModuleReinitialisation
{
    public const string Name = "SoftHSM module re-initialisation";
}

/// <summary>
/// The PKCS#11 token holding the CA key disappears while the node runs (SoftHSM: its token
/// directory moved away) and comes back: EST answers 503 with the reason in between (never 500),
/// /readyz says not ready and why, a security event is raised each way, and the node signs again
/// without a restart — with the bootstrap token that was refused meanwhile still usable.
/// </summary>
[Collection(HsmModuleReinitialisation.Name)]
public sealed class HsmTokenRemovalTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_token_removed_at_runtime_turns_signing_into_503_and_readiness_off_and_the_node_recovers_when_it_returns()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, new KeyStorageSettings(new Pkcs11Settings(token.Module, token.Label, token.PinFile)), TimeProvider.System);
        await using var node = await TestNode.StartAsync(data, new Dictionary<string, string?> { ["Rampart:Keys:Token:ProbeInterval"] = "00:00:00.200" });
        var services = node.Node.Services;
        var root = X509CertificateLoader.LoadCertificate(services.GetRequiredService<CertificateAuthority>().Root.RawData);
        var inventory = services.GetRequiredService<InventoryService>();
        var est = new EstClient(node.Node.HttpsUri, root);
        using var https = node.HttpsClient();
        var (_, first) = await inventory.AddAsync(new NewDevice("removal-1"), "test", CancellationToken.None);
        var (_, second) = await inventory.AddAsync(new NewDevice("removal-2"), "test", CancellationToken.None);
        using (await est.EnrollAsync("removal-1", first.Token, CancellationToken.None))
        {
        }

        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync("/readyz")).StatusCode);

        var tokenDirectory = TokenDirectory(token.Label);
        var away = _temp.Sub("unplugged");
        Directory.Move(tokenDirectory, away);
        try
        {
            await Eventually.HoldsAsync(async () => (await https.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz reports the token gone");
            using var notReady = await https.GetAsync("/readyz");
            var reason = (await notReady.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString();
            Assert.Contains("signing keys unavailable", reason, StringComparison.Ordinal);
            Assert.Contains($"'{token.Label}'", reason, StringComparison.Ordinal);

            var refused = await Assert.ThrowsAsync<EstException>(() => est.EnrollAsync("removal-2", second.Token, CancellationToken.None));
            Assert.Equal(503, refused.Status);
            Assert.Contains("signing key is unavailable", refused.Message, StringComparison.Ordinal);
            Assert.Contains(token.Label, refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused.Message, StringComparison.Ordinal);
            await Eventually.HoldsAsync(async () => (await EventKindsAsync(services)).Contains("keys.token-unavailable"), "a security event says the token is gone");
        }
        finally
        {
            if (!Directory.Exists(tokenDirectory))
            {
                Directory.Move(away, tokenDirectory);
            }
        }

        await Eventually.HoldsAsync(async () => (await https.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz is ready again once the token is back");
        await Eventually.HoldsAsync(async () => (await EventKindsAsync(services)).Contains("keys.token-available"), "a security event says the token is back");
        using var enrolled = await est.EnrollAsync("removal-2", second.Token, CancellationToken.None);
        Assert.Equal("CN=removal-2", enrolled.Subject);
    }

    [Fact]
    public async Task While_the_token_is_gone_every_key_operation_answers_503_with_the_reason_and_release_endpoints_work_again_once_it_is_back()
    {
        var token = SoftHsm.Shared.Take();
        var data = _temp.Sub("data");
        CaInitializer.Initialize(data, new KeyStorageSettings(new Pkcs11Settings(token.Module, token.Label, token.PinFile), UpdateKeysInToken: true), TimeProvider.System);
        await using var node = await TestNode.StartAsync(data, new Dictionary<string, string?> { ["Rampart:Keys:Token:ProbeInterval"] = "00:00:00.200" });
        var provider = Assert.IsType<Pkcs11KeyProvider>(node.Node.Services.GetRequiredService<NodeKeyring>().KeyProvider);
        using var api = node.HttpsClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Posture.OperatorTokens.ForRoleAsync(node.Node, "operator"));
        using (var listed = await api.GetAsync("/api/v1/releases"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        var upload = await UploadAsync(api);
        using var admin = node.HttpsClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Posture.OperatorTokens.ForRoleAsync(node.Node, "admin"));
        using var prepared = await admin.PostAsJsonAsync("/api/v1/tuf/root/prepare", new { rootKeys = (string[]?)null, threshold = (int?)null, targetsKeys = (string[]?)null, targetsThreshold = (int?)null });
        Assert.True(prepared.StatusCode == HttpStatusCode.OK, await prepared.Content.ReadAsStringAsync());
        var nextRoot = await prepared.Content.ReadFromJsonAsync<JsonElement>();
        var tokenDirectory = TokenDirectory(token.Label);
        var away = _temp.Sub("unplugged");
        Directory.Move(tokenDirectory, away);
        try
        {
            // Through the real API: a root the node signs alone asks the token for its online root key; the
            // first release looks up, then would generate, the firmware key (Exists, Generate).
            using (var imported = await admin.PostAsJsonAsync("/api/v1/tuf/root", new { signed = nextRoot, signatures = Array.Empty<object>() }))
            {
                await AssertUnavailableAsync(imported, token.Label);
            }

            using (var added = await api.PostAsJsonAsync("/api/v1/releases", new { model = "meter", version = "3.0.0", svn = 3, hardware = new[] { "rev-b" }, image = upload, sbom = (string?)null }))
            {
                await AssertUnavailableAsync(added, token.Label);
            }

            // The other operations of the provider fail the same way (what a ceremony or a rotation would meet).
            var operations = new (string Name, Action Call)[]
            {
                ("Exists", () => provider.Exists(KeyNames.Tuf("targets"))),
                ("Open", () => provider.Open(KeyNames.Tuf("snapshot")).Dispose()),
                ("Generate", () => provider.Generate("removal-probe", System.Security.Cryptography.ECCurve.NamedCurves.nistP256).Dispose()),
                ("Delete", () => provider.Delete("removal-probe")),
                ("Rename", () => provider.Rename(KeyNames.Tuf("targets"), "removal-renamed")),
                ("Protection", () => provider.Protection(KeyNames.IssuingCa)),
            };
            foreach (var (name, call) in operations)
            {
                var thrown = Record.Exception(call);
                var unavailable = Assert.IsType<KeyUnavailableException>(thrown);
                Assert.True(unavailable.Message.Contains(token.Label, StringComparison.Ordinal), $"{name}: {unavailable.Message}");
            }
        }
        finally
        {
            if (!Directory.Exists(tokenDirectory))
            {
                Directory.Move(away, tokenDirectory);
            }
        }

        await Eventually.HoldsAsync(async () => (await api.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz is ready again once the token is back");
        using (var added = await api.PostAsJsonAsync("/api/v1/releases", new { model = "meter", version = "3.0.0", svn = 3, hardware = new[] { "rev-b" }, image = upload, sbom = (string?)null }))
        {
            Assert.True(added.StatusCode == HttpStatusCode.OK, await added.Content.ReadAsStringAsync());
        }

        using (var imported = await admin.PostAsJsonAsync("/api/v1/tuf/root", new { signed = nextRoot, signatures = Array.Empty<object>() }))
        {
            Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        }

        using var again = await api.GetAsync("/api/v1/releases");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("meter-3.0.0", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nothing the failed calls tried was half-done: no probe key, the targets key still under its own name.
        Assert.False(provider.Exists("removal-probe"));
        Assert.False(provider.Exists("removal-renamed"));
        Assert.True(provider.Exists(KeyNames.Tuf("targets")));
    }

    private static async Task<string> UploadAsync(HttpClient api)
    {
        using var body = new ByteArrayContent(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4_000));
        using var uploaded = await api.PostAsync("/api/v1/releases/uploads", body);
        Assert.True(uploaded.StatusCode == HttpStatusCode.OK, await uploaded.Content.ReadAsStringAsync());
        return (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sha256").GetString()!;
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string tokenLabel)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString();
        Assert.Contains("signing key is unavailable", detail, StringComparison.Ordinal);
        Assert.Contains($"'{tokenLabel}'", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<string>> EventKindsAsync(IServiceProvider services) =>
        (await services.GetRequiredService<NodeStores>().SecurityEvents.ListAsync(null, 500, CancellationToken.None)).Select(stored => stored.Event.Kind).ToArray();

    // SoftHSM keeps each token in a directory of its own under directories.tokendir; token.object holds its label.
    private static string TokenDirectory(string label)
    {
        var configuration = File.ReadAllLines(SoftHsm.Shared.Configuration).Single(line => line.StartsWith("directories.tokendir", StringComparison.Ordinal));
        var tokens = configuration[(configuration.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
        return Directory.GetDirectories(tokens).Single(directory =>
            File.ReadAllBytes(Path.Combine(directory, "token.object")).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(label.PadRight(32))) >= 0);
    }
}
