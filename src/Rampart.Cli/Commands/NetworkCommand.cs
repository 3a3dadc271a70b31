using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Network;
using Rampart.Network.Inventory;
using Rampart.Server.Admin;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart network import FILE.pcap</c> and <c>rampart network devices [--unknown] [--json]</c> (issue 21 item 5).</summary>
internal static class NetworkCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create() => new("network", "Network visibility: import captures, list the hosts the network showed.") { Import(), Devices() };

    private static Command Import()
    {
        var target = new AdminTarget();
        var file = new Argument<FileInfo>("FILE") { Description = "A pcap or pcapng capture" };
        var command = target.AddTo(new Command("import", "Import a pcap/pcapng capture: inventory its hosts, flag insecure protocols, unknown devices and zone violations.") { file });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var capture = parse.GetValue(file)!;
            if (!capture.Exists)
            {
                throw new AdminCommandException($"{capture.FullName} does not exist");
            }

            using var content = new StreamContent(capture.OpenRead());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.tcpdump.pcap");
            var summary = await target.SendAsync<NetworkIngestSummary>(parse, HttpMethod.Post, "api/v1/network/imports", cancellationToken, content);
            Console.WriteLine($"{summary.Frames} frames ({summary.UndecodedFrames} not IP or not decodable), {summary.Flows} flows, {summary.Hosts} hosts ({summary.NewHosts} new, {summary.UnknownHosts} unknown), {summary.Findings} findings"
                + (summary.EventsSuppressed > 0 ? $" ({summary.EventsSuppressed} not raised: over the per-import limit)" : string.Empty));
            return 0;
        }));
        return command;
    }

    private static Command Devices()
    {
        var target = new AdminTarget();
        var unknown = new Option<bool>("--unknown") { Description = "Only hosts matched to no registered device" };
        var json = new Option<bool>("--json") { Description = "Print the hosts as JSON" };
        var command = target.AddTo(new Command("devices", "The hosts the network showed, most recently seen first.") { unknown, json });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var hosts = await target.SendAsync<NetworkHost[]>(parse, HttpMethod.Get, $"api/v1/network/devices?unknown={(parse.GetValue(unknown) ? "true" : "false")}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(hosts, Json));
                return 0;
            }

            foreach (var host in hosts)
            {
                Console.WriteLine(Echo.Inert($"{host.Address,-39} {host.DeviceId ?? "(unknown)",-24} {host.Mac ?? "-",-17} {host.Vendor ?? "-"} ports={string.Join(',', host.Ports)}"
                    + (host.Insecure.Count > 0 ? $" INSECURE={string.Join(',', host.Insecure)}" : string.Empty)));
            }

            return 0;
        }));
        return command;
    }
}
