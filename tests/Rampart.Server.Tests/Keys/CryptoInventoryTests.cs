using Microsoft.Extensions.DependencyInjection;
using Rampart.Server.Hosting;
using Rampart.Server.Keys.Inventory;
using Rampart.Server.Updates;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary><c>rampart crypto inventory</c> on a node's data directory: every class, where it is held, what a quantum computer breaks.</summary>
public sealed class CryptoInventoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_node_with_a_passphrase_lists_every_class_with_encrypted_update_keys_and_file_ca_keys()
    {
        var data = _temp.Sub("data");
        var passphrase = _temp.Sub("passphrase");
        await File.WriteAllTextAsync(passphrase, "a long enough node passphrase\n");
        await using (var node = await TestNode.StartAsync(data, new Dictionary<string, string?> { ["Rampart:Keys:PassphraseFile"] = passphrase }))
        {
            await node.Node.Services.GetRequiredService<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None);
        }

        var items = CryptoInventory.Read(data);
        var byClass = items.ToDictionary(item => item.Class);

        Assert.Equal(
            ["ca-root", "ca-issuing", "tls-server", "audit-signing", "secret-box", "tuf-root", "tuf-targets", "tuf-snapshot", "tuf-timestamp", "firmware-ecdsa", "firmware-lms", "firmware-ml-dsa-65", "device-certificates"],
            items.Select(item => item.Class));
        Assert.Equal(("file", "ECDSA P-384", 384), (byClass["ca-root"].Location, byClass["ca-root"].Algorithm, byClass["ca-root"].Bits));
        Assert.All(new[] { "tuf-root", "tuf-targets", "tuf-snapshot", "tuf-timestamp", "firmware-ecdsa", "firmware-lms", "firmware-ml-dsa-65" },
            name => Assert.Equal("encrypted-file", byClass[name].Location));
        Assert.Contains("1024 of 1024 signatures left", byClass["firmware-lms"].Algorithm, StringComparison.Ordinal);
        Assert.Equal(["firmware-lms", "firmware-ml-dsa-65", "secret-box"], items.Where(item => !item.QuantumVulnerable).Select(item => item.Class).Order());
        Assert.NotNull(byClass["tuf-timestamp"].Expires);
        Assert.True(byClass["ca-issuing"].RotateBy < byClass["ca-issuing"].Expires);
        Assert.True(byClass["tls-server"].Expires > DateTimeOffset.UtcNow.AddDays(300));
    }

    [Fact]
    public void A_directory_that_is_not_a_node_s_is_refused_with_the_reason()
    {
        var refused = Assert.Throws<NodeStartupException>(() => CryptoInventory.Read(_temp.Sub("nothing")));

        Assert.Contains("is not a Rampart data directory", refused.Message, StringComparison.Ordinal);
    }
}
