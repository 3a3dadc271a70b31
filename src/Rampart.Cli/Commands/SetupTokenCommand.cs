using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Operators;
using Rampart.Server.Admin;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Server.Lifecycle;
using Rampart.Server.Setup;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart setup-token</c>: revoke any unused setup token and show a new one.</summary>
internal static class SetupTokenCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var command = new Command("setup-token", "Rotate the one-time setup token that creates the first administrator.") { data };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var root = CommonOptions.ResolveData(parse.GetValue(data));
            var console = new NodeConsole(Console.Out);
            var directory = NodeDataDirectory.OpenExisting(root);

            // 1. A running node: ask it over the admin socket, so it audits the peer.
            using (var client = new AdminClient(directory.AdminSocketPath))
            {
                try
                {
                    var answer = await client.SendAsync<SetupTokenResponse>(HttpMethod.Post, "api/v1/setup-token", cancellationToken);
                    console.ShowSetupToken(new IssuedSetupToken(answer.Token, answer.Expires));
                    return 0;
                }
                catch (HttpRequestException exception) when (AdminClient.IsNotRunning(exception))
                {
                    // 2. No node: do it here, holding the node lock.
                }
            }

            if (NodeDataDirectory.IsInUse(root))
            {
                throw new AdminCommandException($"a node holds {root} but its admin socket {directory.AdminSocketPath} does not answer; is it still starting?");
            }

            await using var node = await OfflineNode.OpenAsync(root, cancellationToken, storage: CommonOptions.ResolveStorage());
            var issued = await node.Services.GetRequiredService<SetupTokenService>().RotateAsync(
                LocalAdminConnection.Actor, new Dictionary<string, string> { ["channel"] = "offline" }, cancellationToken);
            console.ShowSetupToken(issued);
            return 0;
        }));
        return command;
    }
}
