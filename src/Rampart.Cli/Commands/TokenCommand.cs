using System.CommandLine;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart token create|list|revoke</c>: API tokens for automation.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var createTarget = new AdminTarget();
        var name = new Argument<string>("NAME");
        var scopes = new Option<string[]>("--scope") { Description = "A permission the token may use (repeatable; default: all of yours)" };
        var days = new Option<int>("--days") { Description = "Lifetime in days (default 90)", DefaultValueFactory = _ => 90 };
        var create = createTarget.AddTo(new Command("create", "Create an API token (shown once).") { name, scopes, days });
        create.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var requested = parse.GetValue(scopes);
            var token = await createTarget.SendAsync<TokenCreatedResponse>(parse, HttpMethod.Post, "api/v1/tokens", cancellationToken,
                new CreateTokenRequest(parse.GetValue(name)!, requested is { Length: > 0 } ? requested : null, parse.GetValue(days)));
            Console.WriteLine($"token {token.Id} '{token.Name}' (expires {token.Expires:u}; scopes {string.Join(",", token.Scopes)}; shown once):");
            Console.WriteLine($"  {token.Token}");
            return 0;
        }));

        var listTarget = new AdminTarget();
        var list = listTarget.AddTo(new Command("list", "List your API tokens."));
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var token in await listTarget.SendAsync<TokenResponse[]>(parse, HttpMethod.Get, "api/v1/tokens", cancellationToken))
            {
                var state = token.Revoked is not null ? "revoked" : token.Expires < DateTimeOffset.UtcNow ? "expired" : "valid";
                Console.WriteLine($"{token.Id,6} {token.Name,-24} {state,-8} expires {token.Expires:u}  {string.Join(",", token.Scopes)}");
            }

            return 0;
        }));

        var revokeTarget = new AdminTarget();
        var id = new Argument<long>("ID");
        var revoke = revokeTarget.AddTo(new Command("revoke", "Revoke an API token.") { id });
        revoke.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            await revokeTarget.SendAsync<object?>(parse, HttpMethod.Post, $"api/v1/tokens/{parse.GetValue(id)}/revoke", cancellationToken);
            Console.WriteLine($"token {parse.GetValue(id)} revoked");
            return 0;
        }));
        return new Command("token", "API tokens for automation.") { create, list, revoke };
    }
}
