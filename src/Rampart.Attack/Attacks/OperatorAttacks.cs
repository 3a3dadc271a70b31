using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Rampart.Attack.Battery;

namespace Rampart.Attack.Attacks;

/// <summary>A viewer's token (the least role) tries what only administrators and security officers may do.</summary>
public sealed class ApiPrivilegeEscalation : IAttack
{
    public string Name => "api-privilege-escalation";

    public string Description => "with a viewer's API token: add a device, invite an administrator, revoke certificates, mint a broader token, read the audit log";

    public AttackMapping Mapping { get; } = new("operator roles and token scopes checked on every endpoint", Problems.Identity, Owasp.I3);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        var token = await context.ViewerTokenAsync(cancellationToken);
        using var http = context.Https();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var victim = context.DeviceId("victim");
        await context.DeviceAsync("victim", cancellationToken);
        (string What, Func<Task<HttpResponseMessage>> Send)[] attempts =
        [
            ("add a device", () => http.PostAsJsonAsync("api/v1/devices", new { id = context.DeviceId("escalated") }, cancellationToken)),
            ("invite an administrator", () => http.PostAsJsonAsync("api/v1/users", new { name = context.DeviceId("admin"), role = "admin" }, cancellationToken)),
            ("revoke a device's certificate", () => http.PostAsJsonAsync("api/v1/certificates/revoke", new { deviceId = victim, reason = "keyCompromise" }, cancellationToken)),
            ("quarantine a device", () => http.PostAsJsonAsync($"api/v1/devices/{victim}/quarantine", new { reason = "escalation" }, cancellationToken)),
            ("mint a token with users:write", () => http.PostAsJsonAsync("api/v1/tokens", new { name = "escalated", scopes = new[] { "users:write" } }, cancellationToken)),
            ("read the audit log", () => http.GetAsync("api/v1/audit?limit=1", cancellationToken)),
        ];

        var evidence = new List<string>();
        var held = true;
        foreach (var (what, send) in attempts)
        {
            using var response = await send();
            // Any refusal counts (403, or 400 for a token broader than its owner); only a success is an escalation.
            var refused = !response.IsSuccessStatusCode;
            held &= refused;
            evidence.Add($"{what}: {(int)response.StatusCode}");
        }

        // The same token still reads what a viewer may read: the refusals are about permission, not a broken token.
        using var allowed = await http.GetAsync("api/v1/devices?limit=1", cancellationToken);
        evidence.Add($"list devices (a viewer may): {(int)allowed.StatusCode}");
        return AttackOutcome.Judge(held && allowed.IsSuccessStatusCode, string.Join("; ", evidence));
    }
}

/// <summary>Guesses an operator's password in a loop; the node must slow the guesses down and then stop them.</summary>
public sealed class OperatorBruteForce : IAttack
{
    /// <summary>Bounded: this many guesses at most.</summary>
    public const int Guesses = 12;

    public string Name => "operator-brute-force";

    public string Description => $"guess an operator's password {Guesses} times, then try the right one";

    public AttackMapping Mapping { get; } = new("login backoff and lockout", Problems.DefaultPasswords, Owasp.I1);

    public async Task<AttackOutcome> RunAsync(AttackContext context, CancellationToken cancellationToken)
    {
        // Run last in the battery: the node backs off per source, so logins from here are slowed afterwards.
        await context.ViewerTokenAsync(cancellationToken);
        using var http = context.Https();
        var codes = new List<int>();
        for (var i = 0; i < Guesses; i++)
        {
            using var guess = await http.PostAsJsonAsync("api/v1/auth/login", new { user = context.ViewerName, password = $"guess-{i}-Summer2024!" }, cancellationToken);
            codes.Add((int)guess.StatusCode);
            if (guess.IsSuccessStatusCode)
            {
                return AttackOutcome.NotHeld($"guess {i} logged in");
            }
        }

        using var right = await http.PostAsJsonAsync("api/v1/auth/login", new { user = context.ViewerName, password = context.ViewerPassword }, cancellationToken);
        var throttled = codes.Contains((int)HttpStatusCode.TooManyRequests);
        return AttackOutcome.Judge(throttled && !right.IsSuccessStatusCode,
            $"guesses answered {string.Join(",", codes)}; the right password right after: {(int)right.StatusCode}");
    }
}
