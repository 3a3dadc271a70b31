using Rampart.Fleet.Operators;

namespace Rampart.Server.Lifecycle;

/// <summary>
/// What the node says to the person who started it, outside the logs: the setup token goes to the
/// terminal once and never through a logger, so it does not end up in log collection.
/// </summary>
public sealed class NodeConsole(TextWriter output)
{
    /// <summary>Shows a newly issued setup token.</summary>
    public void ShowSetupToken(IssuedSetupToken token)
    {
        lock (output)
        {
            output.WriteLine();
            output.WriteLine("==================================================================");
            output.WriteLine(" One-time setup token (shown once; use it to create the first administrator):");
            output.WriteLine();
            output.WriteLine($"   {token.Token}");
            output.WriteLine();
            output.WriteLine($" It expires {token.Expires:yyyy-MM-dd HH:mm} UTC. Rotate it with: rampart setup-token --data DIR");
            output.WriteLine("==================================================================");
            output.WriteLine();
            output.Flush();
        }
    }
}
