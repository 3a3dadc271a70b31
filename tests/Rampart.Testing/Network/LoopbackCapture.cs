using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rampart.Testing.Network;

/// <summary>
/// A real capture made in the test: tcpdump on the loopback interface (Debian's tcpdump;
/// tests/packages/network.list) records TCP connections from one loopback address to services on
/// another — telnet (23), plain MQTT (1883), HTTP with a Basic credential (80) and HTTPS (443) — each
/// a real socket accepting and answering. Each test project records between its own pair of
/// addresses (<see cref="Server"/> and <see cref="Client"/> by default), so captures of two test
/// processes running at once never hold each other's exchanges.
/// </summary>
public static class LoopbackCapture
{
    public static readonly IPAddress Server = IPAddress.Parse("127.0.0.23");
    public static readonly IPAddress Client = IPAddress.Parse("127.0.0.50");

    // One capture at a time in the test run: the services bind fixed ports on the server address, and each capture must hold only its own exchanges.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static Task<string> RecordAsync(string directory, string? extraFilter = null) => RecordAsync(directory, Server, Client, extraFilter);

    public static async Task<string> RecordAsync(string directory, IPAddress server, IPAddress client, string? extraFilter = null)
    {
        await OneAtATime.WaitAsync();
        try
        {
            return await RecordAloneAsync(directory, server, client, extraFilter);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private static async Task<string> RecordAloneAsync(string directory, IPAddress server, IPAddress client, string? extraFilter)
    {
        var path = Path.Combine(directory, "loopback.pcap");
        var start = new ProcessStartInfo("tcpdump", ["-i", "lo", "-U", "-n", "-w", path, $"host {server}" + (extraFilter ?? string.Empty)]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var tcpdump = Process.Start(start)!;
        var listening = new TaskCompletionSource();
        tcpdump.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        tcpdump.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            await ExchangeAsync(server, client, 23, "login: admin\r\n"u8.ToArray());
            await ExchangeAsync(server, client, 1883, [0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00]);
            await ExchangeAsync(server, client, 80, Encoding.ASCII.GetBytes("GET /status HTTP/1.1\r\nHost: cam\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n"));
            await ExchangeAsync(server, client, 443, [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);

            // tcpdump writes each packet at once (-U); the file is complete once the last FIN is in it.
            await Eventually.HoldsAsync(() => Task.FromResult(new FileInfo(path).Length > 2000), "tcpdump wrote the exchanges");
        }
        finally
        {
            using var stop = Process.Start("kill", ["-INT", tcpdump.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await stop.WaitForExitAsync();
            await tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        return path;
    }

    private static async Task ExchangeAsync(IPAddress server, IPAddress client, int port, byte[] request)
    {
        using var listener = new TcpListener(server, port);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            var stream = accepted.GetStream();
            var buffer = new byte[1024];
            var read = await stream.ReadAsync(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, read));
        });
        using (var connection = new TcpClient(new IPEndPoint(client, 0)))
        {
            await connection.ConnectAsync(server, port);
            await connection.GetStream().WriteAsync(request);
            var echo = new byte[request.Length];
            await connection.GetStream().ReadExactlyAsync(echo);
        }

        await serving;
        listener.Stop();
    }
}
