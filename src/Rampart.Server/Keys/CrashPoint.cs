using System.Diagnostics;

namespace Rampart.Server.Keys;

/// <summary>
/// Named points between the durable steps of a multi-step key operation, where crash tests have the
/// process kill itself with SIGKILL (<c>RAMPART_TEST_CRASH_AT=name</c>): the same as <c>kill -9</c>
/// from outside, but at an exact step instead of a random moment. Without the variable it does nothing.
/// </summary>
public static class CrashPoint
{
    /// <summary>The environment variable naming the point to die at.</summary>
    public const string Variable = "RAMPART_TEST_CRASH_AT";

    /// <summary>Kills the process (SIGKILL: no finally blocks, no flush) when <paramref name="name"/> is the configured point.</summary>
    public static void Reached(string name)
    {
        if (Environment.GetEnvironmentVariable(Variable) == name)
        {
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite); // the signal is on its way; nothing after this point may run
        }
    }
}
