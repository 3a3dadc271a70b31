using System.CommandLine;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Server.Admin;
using Rampart.Server.Posture;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart zones list|export|confine|release|move</c>: zone policy, confinement, moves between inventory zones.</summary>
internal static class ZonesCommand
{
    private static readonly JsonSerializerOptions Json = new(AdminClient.Json) { WriteIndented = true };

    public static Command Create() => new("zones", "Zones and segmentation: the zone policy, confined devices, the nftables export.")
    {
        List(), Export(), Change("confine", "Confine a device to the confined zone (telemetry out, commands in, nothing else)."),
        Change("release", "Release a confined device back to its zone (automatic confinement will not confine it again)."),
        Move(),
    };

    private static Command List()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print policy and confinements as JSON" };
        var list = target.AddTo(new Command("list", "The zone policy and every confinement.") { json });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var zones = await target.SendAsync<ZonesResponse>(parse, HttpMethod.Get, "api/v1/posture/zones", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(zones, Json));
                return 0;
            }

            foreach (var zone in zones.Policy.Zones.Values)
            {
                Console.WriteLine(Echo.Inert($"zone {zone.Name}{(zone.Restricted ? " (restricted)" : "")}: commands from {Names(zone.CommandServices)}, consumed by {Names(zone.ConsumerServices)}"));
            }

            foreach (var confinement in zones.Confinements)
            {
                Console.WriteLine(Echo.Inert($"{confinement.DeviceId,-24} {(confinement.Active ? "confined" : "released"),-9} since {confinement.Since:u} by {confinement.By}: {confinement.Reason}"));
            }

            return 0;
        }));
        return list;
    }

    private static Command Export()
    {
        var target = new AdminTarget();
        var format = new Option<string>("--format") { Description = "nftables", DefaultValueFactory = _ => "nftables" };
        var hub = new Option<string?>("--hub") { Description = "Rampart's addresses the devices reach (comma-separated)", HelpName = "ADDRESSES" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the ruleset here (default: standard output)", HelpName = "FILE" };
        var export = target.AddTo(new Command("export", "The zone policy as a ruleset for the network around the devices.") { format, hub, output });
        export.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = $"?format={Uri.EscapeDataString(parse.GetValue(format)!)}" + (parse.GetValue(hub) is { } addresses ? $"&hub={Uri.EscapeDataString(addresses)}" : "");
            var ruleset = await target.SendAsync<ZoneExportResponse>(parse, HttpMethod.Get, "api/v1/posture/zones/export" + query, cancellationToken);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, ruleset.Ruleset, cancellationToken);
            }
            else
            {
                Console.Write(ruleset.Ruleset);
            }

            return 0;
        }));
        return export;
    }

    private static Command Change(string verb, string description)
    {
        var target = new AdminTarget();
        var device = new Argument<string>("DEVICE");
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        var command = target.AddTo(new Command(verb, description) { device, reason });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            await target.SendAsync<ConfinementRequest>(parse, HttpMethod.Post, $"api/v1/posture/zones/{verb}/{Uri.EscapeDataString(parse.GetValue(device)!)}", cancellationToken,
                new ConfinementRequest(parse.GetValue(reason)!));
            Console.WriteLine(Echo.Inert($"{parse.GetValue(device)}: {(verb == "confine" ? "confined" : "released")}"));
            return 0;
        }));
        return command;
    }

    private static Command Move()
    {
        var target = new AdminTarget();
        var device = new Argument<string>("DEVICE");
        var zone = new Argument<string>("ZONE") { Description = "A zone of the zone policy (rampart zones list)" };
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        var command = target.AddTo(new Command("move", "Move a device to another inventory zone; its live session follows at once.") { device, zone, reason });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var moved = await target.SendAsync<ZoneMoveResponse>(parse, HttpMethod.Post, $"api/v1/posture/zones/move/{Uri.EscapeDataString(parse.GetValue(device)!)}", cancellationToken,
                new ZoneMoveRequest(parse.GetValue(zone)!, parse.GetValue(reason)!));
            Console.WriteLine(Echo.Inert($"{moved.DeviceId}: moved from {moved.FromZone ?? "no zone"} to {moved.Zone}"));
            return 0;
        }));
        return command;
    }

    private static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "no service" : string.Join(", ", names);
}
