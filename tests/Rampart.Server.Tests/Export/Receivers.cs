using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rampart.Testing;

namespace Rampart.Server.Tests.Export;

/// <summary>A receiver run as a plain Python process on loopback; what it received is read back from its output file.</summary>
internal sealed partial class Receiver : IDisposable
{
    private readonly RunningProcess _process;
    private readonly string _output;

    private Receiver(RunningProcess process, string output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    public int Port { get; }

    public string Printed => _process.Output;

    /// <summary>The syslog-over-TLS collector; with <paramref name="clientCa"/> it requires a client certificate from that CA.</summary>
    public static Task<Receiver> SyslogAsync(ExportPki pki, string output, string? clientCa = null, int port = 0) =>
        StartAsync("syslog_tls_receiver.py", [
            pki.ServerCertificateFile, pki.ServerKeyFile, output, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. clientCa is null ? Array.Empty<string>() : ["--client-ca", clientCa]], output);

    /// <summary>The HTTPS webhook receiver on <paramref name="port"/> (0: any).</summary>
    public static Task<Receiver> WebhookAsync(ExportPki pki, string output, string secret, int port = 0) =>
        StartAsync("webhook_receiver.py", [pki.ServerCertificateFile, pki.ServerKeyFile, output, port.ToString(System.Globalization.CultureInfo.InvariantCulture), secret], output);

    /// <summary>A loopback port nothing listens on now (the kernel's pick, released again).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Every JSON line written so far.</summary>
    public IReadOnlyList<JsonElement> Received()
    {
        if (!File.Exists(_output))
        {
            return [];
        }

        using var stream = new FileStream(_output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.EndsWith('}'))
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }

    /// <summary>What the receiver printed (its port, refused handshakes, bad frames): for a failing test's message.</summary>
    public string Output => _process.Output;

    /// <summary>Kills the receiver at once (SIGKILL): its connections die with it.</summary>
    public void Kill()
    {
        _process.KillHard();
        _process.WaitForExitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    public void Dispose() => _process.Dispose();

    private static async Task<Receiver> StartAsync(string script, string[] arguments, string output)
    {
        var process = RunningProcess.Start("python3", [Path.Combine(AppContext.BaseDirectory, "Export", script), .. arguments]);
        try
        {
            var match = await process.WaitForOutputAsync(Listening(), TimeSpan.FromSeconds(30));
            return new Receiver(process, output, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"listening (\d+)")]
    private static partial Regex Listening();
}
