using Rampart.Server.Admin;
using Rampart.Server.Hosting;

namespace Rampart.Cli.Commands;

/// <summary>Turns the errors a user can fix into one clear line and an exit code.</summary>
internal static class CliErrors
{
    /// <summary>Exit code for an error that is not a verdict (bad settings, unreachable node).</summary>
    public const int Error = 2;

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception exception) when (exception is NodeStartupException or AdminCommandException)
        {
            await Console.Error.WriteLineAsync($"rampart: {exception.Message}");
            return Error;
        }
    }
}
