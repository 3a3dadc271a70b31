using Microsoft.Playwright;
using Rampart.Fleet.Monitoring;
using Rampart.Testing;
using Rampart.WebConsole.Common;

namespace Rampart.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSecurityTests(ConsoleFixture fixture)
{
    // Attacker-controlled text as it arrives from devices and the network (client ids, topics, event details).
    public static readonly string[] Payloads =
    [
        "<script>window.__xss = 1</script>",
        "\"><img src=x onerror=\"window.__xss = 2\">",
        "javascript:window.__xss = 3",
        "<a href=\"javascript:window.__xss = 4\">click</a>",
        "ok\u202Egnp.exe\u202C\u200F id",
        "bell\u0007 zero\u200Bwidth \u2066isolate\u2069",
    ];

    private static readonly string[] _pages = ["/", "/devices", "/events", "/alerts", "/exposure", "/posture", "/releases", "/approvals", "/tokens", "/audit", "/signin", "/setup"];

    [Fact]
    public async Task Every_page_sends_the_strict_policy_and_the_browser_reports_no_violation()
    {
        var auditor = await fixture.OperatorAsync("auditor");
        await using var session = await fixture.SignInAsync(auditor);

        foreach (var path in _pages)
        {
            var response = await session.GoAsync(path);
            var headers = await response.AllHeadersAsync();
            Assert.True(response.Status == 200, $"{path}: {response.Status}");
            Assert.Equal(ConsoleSecurityHeaders.ContentSecurityPolicy, headers["content-security-policy"]);
            Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", headers["content-security-policy"], StringComparison.Ordinal);
            Assert.Equal("DENY", headers["x-frame-options"]);
            Assert.Contains("no-store", headers["cache-control"], StringComparison.Ordinal);
        }

        var cookie = (await session.Context.CookiesAsync()).Single(c => c.Name == "rampart-session");
        Assert.True(cookie.Secure && cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("undefined", await session.Page.EvaluateAsync<string>("() => typeof document.cookie.split('; ').find(c => c.startsWith('rampart-session'))"));
        session.AssertClean();
    }

    [Fact]
    public async Task A_state_change_without_the_antiforgery_token_is_refused()
    {
        var account = await fixture.OperatorAsync("operator");
        await using var session = await fixture.SignInAsync(account);
        await session.GoAsync("/tokens");

        var without = await session.FetchStatusAsync("/api/v1/tokens", body: """{"name":"csrf","lifetimeDays":1}""", antiforgery: false);
        var with = await session.FetchStatusAsync("/api/v1/tokens", body: """{"name":"legit","lifetimeDays":1}""");

        Assert.Equal(400, without);
        Assert.Equal(201, with);
        session.AssertClean();
    }

    [Fact]
    public async Task Attacker_controlled_text_is_shown_as_text_and_never_runs_on_the_page_or_in_the_live_stream()
    {
        var store = fixture.Get<ISecurityEventStore>();
        var marker = "xss-" + Guid.NewGuid().ToString("N")[..8];
        await store.AppendManyAsync(Payloads.Select(p => Event(marker, p)).ToArray(), CancellationToken.None);
        var officer = await fixture.OperatorAsync("auditor");
        await using var session = await fixture.SignInAsync(officer);
        var page = session.Page;

        await session.GoAsync("/events?kind=" + Uri.EscapeDataString(marker));
        foreach (var payload in Payloads)
        {
            Assert.Contains(payload, await page.Locator("table.events tbody bdi.untrusted").AllTextContentsAsync());
        }

        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("live");
        var live = marker + "-live";
        await store.AppendManyAsync(Payloads.Select(p => Event(live, p)).ToArray(), CancellationToken.None);
        await Eventually.HoldsAsync(async () => await page.Locator("table.events tbody tr").CountAsync() >= 2 * Payloads.Length, "the live rows arrived");
        var texts = await page.Locator("table.events tbody bdi.untrusted").AllTextContentsAsync();
        foreach (var payload in Payloads)
        {
            Assert.True(texts.Count(t => t == payload) >= 2, $"'{payload}' is not shown as itself in both the page and the stream");
        }

        // Reflected input: the search box and the sign-in return path.
        await session.GoAsync("/devices?q=" + Uri.EscapeDataString(Payloads[1]));
        Assert.Equal(Payloads[1], await page.Locator("input[name=q]").InputValueAsync());
        await session.GoAsync("/signin?return=" + Uri.EscapeDataString("javascript:window.__xss=5"));
        Assert.Equal("/", await page.Locator("#signin").GetAttributeAsync("data-next"));
        await session.GoAsync("/events?kind=" + Uri.EscapeDataString(marker));
        await session.ScreenshotAsync("events-hostile-text");

        Assert.Equal(0, await page.Locator("table.events img, table.events script, table.events a[href^='javascript']").CountAsync());
        Assert.True(await page.Locator("abbr.hidden-chars").CountAsync() >= 2, "the bidi and control characters are not flagged");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        session.AssertClean();
    }

    [Fact]
    public async Task Live_events_arriving_on_the_events_page_do_not_shift_the_layout()
    {
        var store = fixture.Get<ISecurityEventStore>();
        var marker = "cls-" + Guid.NewGuid().ToString("N")[..8];
        await store.AppendManyAsync(Enumerable.Range(0, 5).Select(i => Event(marker, "before " + i)).ToArray(), CancellationToken.None);
        var auditor = await fixture.OperatorAsync("auditor");
        await using var session = await fixture.SignInAsync(auditor);
        var page = session.Page;
        await session.GoAsync("/events");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveTextAsync("live");
        var heading = await page.Locator("main h1").First.BoundingBoxAsync();

        // The browser's own measure (Layout Instability API): the sum of every unexpected shift since the page loaded.
        await page.EvaluateAsync("""
            () => {
              window.__shift = 0;
              new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value; })
                .observe({ type: 'layout-shift', buffered: true });
            }
            """);
        await store.AppendManyAsync(Enumerable.Range(0, 30).Select(i => Event(marker + "-live", "live " + i)).ToArray(), CancellationToken.None);
        await Assertions.Expect(page.Locator("table.events tbody tr", new() { HasText = marker + "-live" })).ToHaveCountAsync(30);
        var shift = await page.EvaluateAsync<double>("() => window.__shift");
        var after = await page.Locator("main h1").First.BoundingBoxAsync();

        Assert.True(shift < 0.01, $"cumulative layout shift {shift} while live rows arrived");
        Assert.Equal(heading!.Y, after!.Y);
        session.AssertClean();
    }

    private static SecurityEvent Event(string kind, string payload) =>
        new(DateTimeOffset.UtcNow, kind, SecuritySeverity.Warning, payload, payload, new Dictionary<string, string> { ["topic"] = payload });
}
