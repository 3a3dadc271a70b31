using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using Rampart.Fleet.Inventory;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;
using Rampart.Testing;

namespace Rampart.Console.Tests;

/// <summary>
/// The exposure page over the stored result of the last recompute (issue 22): the known-exploited mark in words, and an
/// operator scoped to a site seeing neither the count nor the id of a device outside it.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StoredExposureTests(ConsoleFixture fixture)
{
    private static string Data(params string[] parts) => Path.Combine([TestFiles.RepositoryRoot, "tests", "data", "vulns", .. parts]);

    [Fact]
    public async Task A_known_exploited_line_says_so_in_words_and_a_scoped_operator_sees_only_the_devices_of_their_site()
    {
        // 1. A model ("aa-…": its lines rank among the first) on two devices in two sites; its base SBOM runs kernel 6.1
        //    (CVE-2024-1086, in the KEV catalog) and curl 8.3.0 (CVE-2023-38545, not in it).
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var model = "aa-" + tag;
        var (inside, outside) = ($"{model}-in", $"{model}-out");
        var inventory = fixture.Get<InventoryService>();
        await inventory.AddAsync(new NewDevice(inside, Model: model, Site: "in-" + tag), "test", CancellationToken.None);
        await inventory.AddAsync(new NewDevice(outside, Model: model, Site: "out-" + tag), "test", CancellationToken.None);
        var sbom = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.5", ["version"] = 1,
            ["components"] = new[]
            {
                new Dictionary<string, string> { ["type"] = "operating-system", ["name"] = "kernel", ["version"] = "6.1", ["bom-ref"] = "kernel" },
                new Dictionary<string, string> { ["type"] = "library", ["name"] = "curl", ["version"] = "8.3.0", ["purl"] = "pkg:generic/curl@8.3.0", ["bom-ref"] = "curl" },
            },
        });
        var supplyChain = fixture.Get<SupplyChainService>();
        await supplyChain.SetBaseSbomAsync(model, sbom, "test", CancellationToken.None);
        await supplyChain.ImportAsync(VulnerabilitySet.Load(Data("cve-json5")), complete: true, "test", CancellationToken.None);
        await supplyChain.ImportKnownExploitedAsync(await File.ReadAllBytesAsync(Data("kev", "known_exploited_vulnerabilities.json")), "test", CancellationToken.None);
        await supplyChain.RecomputeAsync("test", CancellationToken.None);

        // 2. An operator of the whole fleet: both devices on the model's lines, the kernel line marked known exploited.
        var scope = "model:" + model;
        await using (var fleet = await fixture.SignInAsync(await fixture.OperatorAsync("viewer")))
        {
            Assert.Equal(200, (await fleet.GoAsync("/exposure")).Status);
            var kernel = fleet.Page.Locator("#exposure tbody tr", new() { HasText = scope }).Filter(new() { HasText = "CVE-2024-1086" });
            var curl = fleet.Page.Locator("#exposure tbody tr", new() { HasText = scope }).Filter(new() { HasText = "CVE-2023-38545" });
            await Assertions.Expect(kernel.Locator(".kev")).ToHaveTextAsync("known exploited (KEV)");
            await Assertions.Expect(kernel.Locator(".kev")).ToHaveAttributeAsync("title", "In CISA's Known Exploited Vulnerabilities catalog since 2024-05-30");
            Assert.Equal(0, await curl.Locator(".kev").CountAsync());
            await Assertions.Expect(kernel.Locator("td").Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^2: {inside} {outside}\\s*$"));
            await Assertions.Expect(fleet.Page.Locator("#exposure-summary")).ToContainTextAsync("as of the exposure recompute at");
            await fleet.ScreenshotAsync("exposure-kev");
            fleet.AssertClean();
        }

        // 3. An operator scoped to the inside site: one device counted and listed, the other nowhere on the page or its device view.
        await using var scoped = await fixture.SignInAsync(await fixture.OperatorAsync("viewer", ["in-" + tag]));
        Assert.Equal(200, (await scoped.GoAsync("/exposure")).Status);
        var line = scoped.Page.Locator("#exposure tbody tr", new() { HasText = scope }).Filter(new() { HasText = "CVE-2024-1086" });
        await Assertions.Expect(line.Locator("td").Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^1: {inside}\\s*$"));
        Assert.DoesNotContain(outside, await scoped.Page.ContentAsync(), StringComparison.Ordinal);

        Assert.Equal(200, (await scoped.GoAsync("/exposure?device=" + inside)).Status);
        await Assertions.Expect(scoped.Page.Locator("#exposure tbody tr", new() { HasText = "CVE-2024-1086" }).Locator(".kev")).ToHaveTextAsync("known exploited (KEV)");
        Assert.Equal(404, (await scoped.GoAsync("/exposure?device=" + outside)).Status);
        Assert.Equal(400, (await scoped.GoAsync("/exposure?after=" + new string('x', 5000))).Status);

        // A crafted cursor with a control character is refused before the database sees it (PostgreSQL refuses NUL in text: a 503 otherwise).
        Assert.Equal(400, (await scoped.GoAsync("/exposure?after=0" + Uri.EscapeDataString("\u0000|x"))).Status);
        scoped.AssertClean();
    }
}
