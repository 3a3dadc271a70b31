using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Authority;
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
