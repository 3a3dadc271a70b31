using System.Globalization;
using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Bench;

/// <summary>
/// A real <c>rampart serve</c> node in a child process, so its CPU time (from /proc/PID/stat) is the
/// server's alone and the bench's own work counts as the client's.
/// </summary>
internal sealed partial class NodeProcess : IDisposable
{
    // sysconf(_SC_CLK_TCK) is 100 on every Linux ABI .NET runs on.
    private const int ClockTicksPerSecond = 100;

    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(120);
    private readonly RunningProcess _process;

    private NodeProcess(RunningProcess process, string data, Uri https, System.Net.IPEndPoint mqtt)
    {
        _process = process;
        DataDirectory = data;
        HttpsUri = https;
        MqttEndPoint = mqtt;
    }

    public string DataDirectory { get; }

    public Uri HttpsUri { get; }

    /// <summary>The MQTT over TLS listener the ready line names.</summary>
    public System.Net.IPEndPoint MqttEndPoint { get; }

    public int Id => _process.Id;

    public string AdminSocket => Path.Combine(DataDirectory, "admin.sock");

    public string Output => _process.Output;

    /// <summary>The rampart executable copied beside the bench (project reference to Rampart.Cli).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rampart.dll");

    /// <summary>Starts (or restarts, on an existing directory) a node and waits for its ready line.</summary>
    public static async Task<NodeProcess> StartAsync(string data, params string[] extra)
    {
        var process = RunningProcess.Start("dotnet", [Dll, "serve", "--data", data, "--https", "127.0.0.1:0", "--mqtt", "127.0.0.1:0", .. extra]);
        try
        {
            var ready = await process.WaitForOutputAsync(Ready(), _patience);
            return new NodeProcess(process, data, new Uri(ready.Groups[1].Value), System.Net.IPEndPoint.Parse(ready.Groups[2].Value));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>rampart ARGS</c> to completion.</summary>
    public static Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [Dll, .. arguments], _patience);

    /// <summary>User plus system CPU time the node has used (proc(5): utime and stime, fields 14 and 15, in clock ticks).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Id}/stat");

        // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>SIGKILL, as a power cut or the OOM killer would: no shutdown code runs.</summary>
    public async Task KillHardAsync()
    {
        _process.KillHard();
        await _process.WaitForExitAsync(_patience);
    }

    /// <summary>SIGTERM and wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        _process.Terminate();
        await _process.WaitForExitAsync(_patience);
    }

    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"Rampart node ready: https=(https://[0-9.:\[\]]+/) mqtts=([0-9.:\[\]]+)")]
    private static partial Regex Ready();
}
