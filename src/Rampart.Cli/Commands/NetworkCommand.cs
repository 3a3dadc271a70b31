using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Network;
using Rampart.Network.Inventory;
using Rampart.Server.Admin;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart network import FILE.pcap</c>, <c>rampart network devices [--unknown] [--json]</c>, and
/// bindings by hand: <c>rampart network bind DEVICE (--address A | --mac M)</c>, <c>rampart network unbind
/// (--address A | --mac M)</c>, <c>rampart network bindings</c> (issue 21 item 5).
/// </summary>
internal static class NetworkCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create() => new("network", "Network visibility: import captures, list the hosts the network showed.") { Import(), Devices(), Bind(), Unbind(), Bindings() };

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

    private static (Option<string?> Address, Option<string?> Mac) BindingOptions() =>
        (new Option<string?>("--address") { Description = "An IPv4 or IPv6 address", HelpName = "ADDR" },
         new Option<string?>("--mac") { Description = "A MAC address (02:1a:2b:3c:4d:5e)", HelpName = "MAC" });

    private static Command Bind()
    {
        var target = new AdminTarget();
        var device = new Argument<string>("DEVICE") { Description = "The registered device the address or MAC is" };
        var (address, mac) = BindingOptions();
        var command = target.AddTo(new Command("bind", "Bind an address or a MAC to a registered device by hand (audited): its hosts are matched to the device from now on.") { device, address, mac });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var binding = await target.SendAsync<NetworkBinding>(parse, HttpMethod.Post, "api/v1/network/bindings", cancellationToken,
                new { deviceId = parse.GetValue(device), address = parse.GetValue(address), mac = parse.GetValue(mac) });
            Console.WriteLine(Echo.Inert($"{binding.Kind} {binding.Value} is bound to {binding.DeviceId}"));
            return 0;
        }));
        return command;
    }

    private static Command Unbind()
    {
        var target = new AdminTarget();
        var (address, mac) = BindingOptions();
        var command = target.AddTo(new Command("unbind", "Remove a binding made by hand (audited).") { address, mac });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = parse.GetValue(address) is { } a ? "address=" + Uri.EscapeDataString(a) : "mac=" + Uri.EscapeDataString(parse.GetValue(mac) ?? string.Empty);
            var binding = await target.SendAsync<NetworkBinding>(parse, HttpMethod.Delete, "api/v1/network/bindings?" + query, cancellationToken);
            Console.WriteLine(Echo.Inert($"{binding.Kind} {binding.Value} is no longer bound to {binding.DeviceId}"));
            return 0;
        }));
        return command;
    }

    private static Command Bindings()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print the bindings as JSON" };
        var command = target.AddTo(new Command("bindings", "The addresses and MACs bound to devices by hand.") { json });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var bindings = await target.SendAsync<NetworkBinding[]>(parse, HttpMethod.Get, "api/v1/network/bindings", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(bindings, Json));
                return 0;
            }

            foreach (var binding in bindings)
            {
                Console.WriteLine(Echo.Inert($"{binding.Kind,-8} {binding.Value,-39} {binding.DeviceId,-24} {binding.BoundBy} {binding.Bound:u}"));
            }

            return 0;
        }));
        return command;
    }
}
