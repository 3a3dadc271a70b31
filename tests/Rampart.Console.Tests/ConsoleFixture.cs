using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Console.Tests;

/// <summary>
/// One real node (real Kestrel, real TLS on a loopback port, a real data directory) and ONE browser —
/// Debian's chromium driven by Playwright — for the whole test run; each test opens its own browser context.
/// </summary>
public sealed partial class ConsoleFixture : IAsyncLifetime
{
    public const string Password = "tidal-orbit-quince-7-lantern";

    private readonly TempDirectory _temp = new();
    private IPlaywright? _playwright;

    public RampartNode Node { get; private set; } = null!;

    /// <summary>What the node printed (the setup token among it).</summary>
    public StringWriter NodeOutput { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots of the main pages, kept as test artefacts (not committed).</summary>
    public static string Artefacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "console-screenshots")).FullName;

    /// <summary>
    /// How long a browser action, navigation or web-first assertion may take: Playwright's 5 s default fails on a
    /// loaded machine (assume 10× slower than idle); a condition that holds passes as soon as it holds.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        Node = await StartNodeAsync(_temp.Sub("data"), NodeOutput);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("RAMPART_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public static Task<RampartNode> StartNodeAsync(string data, TextWriter output, IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Rampart:DataDirectory"] = data,
            ["Rampart:Https"] = "127.0.0.1:0",
            ["Rampart:Mqtt"] = "127.0.0.1:0",
            // These tests drive the console's approval flow with releases that carry no SBOM; the
            // supply-chain release gate is tested on its own in Rampart.Server.Tests/SupplyChain.
            ["Rampart:SupplyChain:EnforceGate"] = "false",

            // Attestation challenges every device at (re)connect on its command topic (on by default, like
            // TestNode turns it off): these tests read exact message streams of their live devices; the
            // attestation tests in Rampart.Server.Tests/SupplyChain turn it on.
            ["Rampart:SupplyChain:AttestOnConnect"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return RampartNode.StartAsync(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), output, CancellationToken.None, time);
    }

    public T Get<T>()
        where T : notnull => Node.Services.GetRequiredService<T>();

    /// <summary>The setup token the node printed on its first start.</summary>
    public static string SetupTokenIn(string output) => SetupToken().Match(output) is { Success: true } match ? match.Value : throw new InvalidOperationException("no setup token printed:\n" + output);

    /// <summary>An activated operator of <paramref name="role"/> (TOTP confirmed where the role requires it).</summary>
    public static async Task<OperatorAccount> OperatorAsync(RampartNode node, string role, IReadOnlyList<string>? sites = null)
    {
        var users = node.Services.GetRequiredService<UserService>();
        var name = role + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var invitation = await users.InviteAsync(name, role, sites, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, Password, CancellationToken.None);
        byte[]? secret = null;
        if (!activation.Activated)
        {
            secret = Base32.Decode(activation.TotpSecret!);
            await users.ConfirmAsync(invitation.Token, null, Code(secret, 0), CancellationToken.None);
        }

        return new OperatorAccount(name, secret);
    }

    public Task<OperatorAccount> OperatorAsync(string role, IReadOnlyList<string>? sites = null) => OperatorAsync(Node, role, sites);

    /// <summary>The TOTP code of <paramref name="offset"/> steps from now (the confirmation used step 0; a login takes the next).</summary>
    public static string Code(byte[] secret, int offset) =>
        TotpGenerator.Code(secret, TotpGenerator.StepOf(DateTimeOffset.UtcNow) + offset, HashAlgorithmName.SHA1);

    /// <summary>A fresh browser context on <paramref name="node"/> (default: the shared one) at 1280×800.</summary>
    public async Task<ConsoleSession> OpenAsync(RampartNode? node = null, int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The node's certificate comes from its own CA, created for this run; TLS itself is tested with pinned clients elsewhere.
            IgnoreHTTPSErrors = true,
            BaseURL = (node ?? Node).HttpsUri.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Patience.TotalMilliseconds);
        return await ConsoleSession.OpenAsync(context, (node ?? Node).HttpsUri);
    }

    /// <summary>Signs <paramref name="account"/> in through the sign-in page.</summary>
    public async Task<ConsoleSession> SignInAsync(OperatorAccount account, RampartNode? node = null)
    {
        var session = await OpenAsync(node);
        await session.SignInAsync(account);
        return session;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [GeneratedRegex("rampart-setup-[A-Za-z0-9_-]+")]
    private static partial Regex SetupToken();
}

/// <summary>An operator the tests created: name, the shared password, and the TOTP secret where the role has one.</summary>
public sealed record OperatorAccount(string Name, byte[]? TotpSecret);

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
