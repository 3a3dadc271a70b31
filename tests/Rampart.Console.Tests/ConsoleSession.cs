using Microsoft.Playwright;

namespace Rampart.Console.Tests;

/// <summary>
/// One browser context and page, watched for what must never happen: a CSP violation reported on the
/// console, a JavaScript dialog, a request to anywhere but the node.
/// </summary>
public sealed class ConsoleSession : IAsyncDisposable
{
    private readonly List<string> _violations = [];
    private readonly List<string> _dialogs = [];
    private readonly List<string> _foreign = [];
    private readonly List<string> _errors = [];

    /// <summary>
    /// For <c>WaitForURLAsync</c>: returns once the document at that address committed. Its "load" wait
    /// timed out in CI with the page there and the network idle (after a form's POST and redirect);
    /// what a test does next (a fill, a web-first assertion, a navigation) waits for what it needs.
    /// </summary>
    public static PageWaitForURLOptions Committed => new() { WaitUntil = WaitUntilState.Commit };

    private ConsoleSession(IBrowserContext context, IPage page, Uri node)
    {
        Context = context;
        Page = page;
        Node = node;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public Uri Node { get; }

    public IReadOnlyList<string> CspViolations => _violations;

    public IReadOnlyList<string> Dialogs => _dialogs;

    public IReadOnlyList<string> ForeignRequests => _foreign;

    public static async Task<ConsoleSession> OpenAsync(IBrowserContext context, Uri node)
    {
        var page = await context.NewPageAsync();
        var session = new ConsoleSession(context, page, node);
        page.Console += (_, message) =>
        {
            lock (session._violations)
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Trusted Type", StringComparison.OrdinalIgnoreCase))
                {
                    session._violations.Add(message.Text);
                }
                else if (message.Type == "error" && !message.Text.Contains("Failed to load resource", StringComparison.Ordinal))
                {
                    session._errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (session._violations)
            {
                session._errors.Add(error);
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            lock (session._violations)
            {
                session._dialogs.Add(dialog.Type + ": " + dialog.Message);
            }

            await dialog.DismissAsync();
        };
        page.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            if (url.Scheme is not ("https" or "data" or "blob" or "about") || (url.Scheme == "https" && url.Authority != node.Authority))
            {
                lock (session._violations)
                {
                    session._foreign.Add(request.Url);
                }
            }
        };
        return session;
    }

    /// <summary>
    /// Signs in through the page. The node may answer a login with 429 while other test assemblies load the
    /// machine (every password check is a bounded Argon2id slot): that answer is shown on the form and the
    /// sign-in is tried again, up to three times; any other error on the form fails at once with its text.
    /// </summary>
    public async Task SignInAsync(OperatorAccount account, int totpOffset = 1)
    {
        var shown = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Page.GotoAsync("/signin");
            await Page.GetByLabel("User name").FillAsync(account.Name);
            await Page.GetByLabel("Password").FillAsync(ConsoleFixture.Password);
            if (account.TotpSecret is { } secret)
            {
                await Page.GetByLabel("One-time code").FillAsync(ConsoleFixture.Code(secret, totpOffset));
            }

            await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            var error = await SignedInOrErrorAsync();
            if (error is null)
            {
                return;
            }

            shown.Add(error);
            if (!error.Contains("busy", StringComparison.OrdinalIgnoreCase) && !error.Contains("retry", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        throw new InvalidOperationException($"signing in as {account.Name} failed; the form said: " + string.Join(" | ", shown));
    }

    // Polls (navigation replaces the document, so no in-page wait survives it): null once the page left /signin, else the form's error text.
    private async Task<string?> SignedInOrErrorAsync()
    {
        var deadline = DateTime.UtcNow + ConsoleFixture.Patience;
        string? error = null;
        while (DateTime.UtcNow < deadline)
        {
            // Page.Url changes when the next document commits. Not waited for "load" here: the next navigation or
            // web-first assertion waits for what it needs (a "load" wait timed out once under load with the page there).
            if (!new Uri(Page.Url).AbsolutePath.StartsWith("/signin", StringComparison.Ordinal))
            {
                return null;
            }

            try
            {
                error = await Page.Locator("#signin .form-error").TextContentAsync(new() { Timeout = 2000 });
            }
            catch (Exception exception) when (exception is PlaywrightException or TimeoutException)
            {
                error = null; // the document is being replaced
            }

            if (!string.IsNullOrWhiteSpace(error))
            {
                return error.Trim();
            }

            await Task.Delay(200);
        }

        return "no answer within " + ConsoleFixture.Patience.TotalSeconds + " s (still on " + Page.Url + ")";
    }

    /// <summary>Goes to <paramref name="path"/> and returns the main document's response.</summary>
    public async Task<IResponse> GoAsync(string path) =>
        await Page.GotoAsync(path) ?? throw new InvalidOperationException($"no response for {path}");

    /// <summary>Calls the API from inside the page as its script does (cookie session, optionally the antiforgery token); returns the status.</summary>
    public Task<int> FetchStatusAsync(string path, string method = "POST", string body = "{}", bool antiforgery = true) =>
        Page.EvaluateAsync<int>(
            """
            async ([path, method, body, antiforgery]) => {
              const headers = { 'Content-Type': 'application/json' };
              if (antiforgery) headers['X-XSRF-TOKEN'] = document.querySelector('meta[name="rampart-xsrf"]').content;
              const response = await fetch(path, { method, headers, body: method === 'GET' ? undefined : body, credentials: 'same-origin' });
              return response.status;
            }
            """,
            new object[] { path, method, body, antiforgery });

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Artefacts, name + ".png"), FullPage = true });

    /// <summary>Nothing the console must never do happened in this session.</summary>
    public void AssertClean()
    {
        lock (_violations)
        {
            Assert.True(_violations.Count == 0, "CSP violations: " + string.Join(" | ", _violations));
            Assert.True(_dialogs.Count == 0, "dialogs: " + string.Join(" | ", _dialogs));
            Assert.True(_foreign.Count == 0, "requests beyond the node: " + string.Join(" | ", _foreign));
            Assert.True(_errors.Count == 0, "script errors: " + string.Join(" | ", _errors));
        }
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
