using System.CommandLine;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart login</c> and <c>rampart logout</c>.</summary>
internal static class LoginCommand
{
    public static Command Login()
    {
        var server = new Option<string>("--server") { Description = "The node's HTTPS address", HelpName = "URL", Required = true };
        var ca = new Option<FileInfo?>("--ca") { Description = "Trust only this root CA (PEM), e.g. the node's ca-root.crt.pem", HelpName = "FILE" };
        var user = new Option<string?>("--user") { Description = "User name (asked if missing)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var totp = new Option<string?>("--totp") { Description = "Current TOTP code (asked if missing and a terminal is attached)", HelpName = "CODE" };
        var command = new Command("login", "Log in to a node; the token is stored owner-only under ~/.config/rampart.") { server, ca, user, passwordStdin, totp };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var url = parse.GetValue(server)!;
            var caPem = parse.GetValue(ca) is { } file ? await File.ReadAllTextAsync(file.FullName, cancellationToken) : null;
            var name = parse.GetValue(user) ?? Prompt.Text("user");
            var password = Prompt.Secret("password", parse.GetValue(passwordStdin));
            var code = parse.GetValue(totp) ?? (Console.IsInputRedirected ? null : Prompt.Text("TOTP code (blank if none)"));
            using var client = AdminClient.ForServer(url, null, caPem);
            var login = await client.SendAsync<LoginResponse>(HttpMethod.Post, "api/v1/auth/login", cancellationToken,
                new LoginRequest(name, password, string.IsNullOrEmpty(code) ? null : code));
            new Credentials(url, login.Token, caPem, login.User.Name, login.Expires).Save();
            Console.WriteLine($"logged in to {url} as {login.User.Name} ({login.User.Role}) until {login.Expires:u}; token stored in {Credentials.FilePath}");
            return 0;
        }));
        return command;
    }

    public static Command Logout()
    {
        var command = new Command("logout", "Revoke the stored login token and forget it.");
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (Credentials.Load() is not { } stored)
            {
                Console.WriteLine("not logged in");
                return 0;
            }

            using var client = AdminClient.ForServer(stored.Server, stored.Token, stored.CaPem);
            try
            {
                await client.SendAsync<object?>(HttpMethod.Post, "api/v1/auth/logout", cancellationToken);
            }
            catch (AdminCommandException)
            {
                // The token may be expired or revoked already: forgetting it is what matters.
            }

            Credentials.Delete();
            Console.WriteLine($"logged out of {stored.Server}");
            return 0;
        }));
        return command;
    }
}
