using Rampart.Server.Admin;
using Rampart.Server.DataDirectory;

namespace Rampart.Cli.Commands;

/// <summary>One admin API call through the running node's admin socket.</summary>
internal static class AdminCall
{
    public static async Task<T> SendAsync<T>(string? data, HttpMethod method, string path, CancellationToken cancellationToken, object? body = null)
    {
        var directory = NodeDataDirectory.OpenExisting(CommonOptions.ResolveData(data));
        using var client = new AdminClient(directory.AdminSocketPath);
        try
        {
            return await client.SendAsync<T>(method, path, cancellationToken, body);
        }
        catch (HttpRequestException exception) when (AdminClient.IsNotRunning(exception))
        {
            throw new AdminCommandException($"no node is running on {directory.Root}; admin commands go through its admin socket: start it with 'rampart serve --data {directory.Root}'");
        }
    }
}
