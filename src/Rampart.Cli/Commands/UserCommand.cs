using System.CommandLine;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart user add|list|disable|activate|confirm</c>.</summary>
internal static class UserCommand
{
    public static Command Create() => new("user", "Operator accounts.") { Add(), List(), Disable(), Activate(), Confirm() };

    private static Command Add()
    {
        var target = new AdminTarget();
        var name = new Argument<string>("NAME");
        var role = new Option<string>("--role") { Description = "admin, security-officer, operator, auditor or viewer", Required = true };
        var sites = new Option<string[]>("--site") { Description = "Limit to this site (repeatable)" };
        var zones = new Option<string[]>("--zone") { Description = "Limit to this zone (repeatable)" };
        var command = target.AddTo(new Command("add", "Invite an operator; prints a one-time invitation for 'rampart user activate'.") { name, role, sites, zones });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var invitation = await target.SendAsync<InvitationResponse>(parse, HttpMethod.Post, "api/v1/users", cancellationToken,
                new InviteRequest(parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(sites), parse.GetValue(zones)));
            Console.WriteLine($"invitation for {invitation.User} ({invitation.Role}; single use, expires {invitation.Expires:u}; shown once):");
            Console.WriteLine($"  {invitation.Invitation}");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var command = target.AddTo(new Command("list", "List operator accounts."));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var users = await target.SendAsync<UserResponse[]>(parse, HttpMethod.Get, "api/v1/users", cancellationToken);
            Console.WriteLine($"{"NAME",-20} {"ROLE",-18} {"STATE",-10} {"TOTP",-5} SCOPE");
            foreach (var user in users)
            {
                var state = user.Disabled ? "disabled" : user.Activated ? "active" : "pending";
                var scope = string.Join(" ", user.Sites.Select(s => "site:" + s).Concat(user.Zones.Select(z => "zone:" + z)));
                Console.WriteLine($"{user.Name,-20} {user.Role,-18} {state,-10} {(user.TotpEnrolled ? "yes" : "no"),-5} {(scope.Length == 0 ? "all" : scope)}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Disable()
    {
        var target = new AdminTarget();
        var name = new Argument<string>("NAME");
        var command = target.AddTo(new Command("disable", "Disable an account; its tokens and sessions stop working at once.") { name });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            await target.SendAsync<object?>(parse, HttpMethod.Post, $"api/v1/users/{Uri.EscapeDataString(parse.GetValue(name)!)}/disable", cancellationToken);
            Console.WriteLine($"user {parse.GetValue(name)} disabled");
            return 0;
        }));
        return command;
    }

    private static Command Activate()
    {
        var target = new AdminTarget();
        var token = new Argument<string>("TOKEN") { Description = "The invitation, or the node's setup token for the first administrator" };
        var name = new Option<string?>("--name") { Description = "With the setup token: the first administrator's user name" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new password from standard input" };
        var command = target.AddTo(new Command("activate", "Set your password with an invitation (or the setup token); shows your TOTP secret once where required.") { token, name, passwordStdin });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var password = Prompt.Secret("new password (12+ characters)", parse.GetValue(passwordStdin));
            using var client = target.Anonymous(parse);
            var result = await client.SendAsync<ActivateResponse>(HttpMethod.Post, "api/v1/users/activate", cancellationToken,
                new ActivateRequest(parse.GetValue(token)!, password, parse.GetValue(name)));
            if (result.Activated)
            {
                Console.WriteLine($"user {result.User} ({result.Role}) is active");
                return 0;
            }

            Console.WriteLine($"user {result.User} ({result.Role}) needs TOTP. Add this to your authenticator (shown once):");
            Console.WriteLine($"  {result.TotpUri}");
            Console.WriteLine($"  secret: {result.TotpSecret}");
            Console.WriteLine($"then run: rampart user confirm TOKEN --code CODE{(parse.GetValue(name) is { } n ? $" --name {n}" : string.Empty)}");
            return 0;
        }));
        return command;
    }

    private static Command Confirm()
    {
        var target = new AdminTarget();
        var token = new Argument<string>("TOKEN");
        var name = new Option<string?>("--name") { Description = "With the setup token: the first administrator's user name" };
        var code = new Option<string>("--code") { Description = "The current TOTP code", Required = true };
        var command = target.AddTo(new Command("confirm", "Finish activation with a TOTP code from your authenticator.") { token, name, code });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            using var client = target.Anonymous(parse);
            await client.SendAsync<object?>(HttpMethod.Post, "api/v1/users/activate/confirm", cancellationToken,
                new ConfirmRequest(parse.GetValue(token)!, parse.GetValue(code)!, parse.GetValue(name)));
            Console.WriteLine("account active; log in with: rampart login --server URL");
            return 0;
        }));
        return command;
    }
}
