using System.CommandLine;
using System.Globalization;
using Rampart.Fleet.Inventory;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart device add|list|show|retire|quarantine|release|token|send</c>.</summary>
internal static class DeviceCommand
{
    public static Command Create() => new("device", "The device inventory.")
    {
        Add(), List(), Show(), Retire(), Quarantine(), Release(), Token(), Send(),
    };

    private static Command Send()
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create();
        var suffix = new Option<string>("--topic-suffix") { Description = "Levels under devices/ID/commands/, e.g. reboot or config/apply", Required = true };
        var payload = new Option<string>("--payload") { Description = "The message (UTF-8 text)", DefaultValueFactory = _ => string.Empty };
        var qos = new Option<int>("--qos") { Description = "0, 1 (default) or 2", DefaultValueFactory = _ => 1 };
        var command = target.AddTo(new Command("send", "Send a command to a device on devices/ID/commands/SUFFIX over MQTT.") { id, suffix, payload, qos });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var sent = await target.SendAsync<DeviceCommandResponse>(parse, HttpMethod.Post, $"api/v1/devices/{Uri.EscapeDataString(DeviceIdArgument.ValueOf(parse, id))}/commands",
                cancellationToken, new DeviceCommandRequest(parse.GetValue(suffix), parse.GetValue(payload), parse.GetValue(qos)));
            Console.WriteLine($"sent {sent.Bytes} bytes to {sent.Topic} at QoS {sent.Qos}; device {(sent.Connected ? "connected" : "not connected (kept only if its session persists)")}");
            return 0;
        }));
        return command;
    }

    private static Command Add()
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create("Immutable device id: " + DeviceIds.Rule);
        var model = new Option<string?>("--model");
        var vendor = new Option<string?>("--vendor") { Description = "Manufacturer; must match a trusted vendor name for factory-certificate enrollment" };
        var hardware = new Option<string?>("--hardware-revision");
        var site = new Option<string?>("--site");
        var zone = new Option<string?>("--zone");
        var tags = new Option<string[]>("--tag") { Description = "A tag (repeatable)", AllowMultipleArgumentsPerToken = false };
        var supportUntil = new Option<string?>("--support-until") { Description = "End of vendor support, YYYY-MM-DD", HelpName = "DATE" };
        var command = target.AddTo(new Command("add", "Add a device and print its one-time bootstrap token.") { id, model, vendor, hardware, site, zone, tags, supportUntil });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            DateOnly? support = null;
            if (parse.GetValue(supportUntil) is { } text)
            {
                support = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? date
                    : throw new Server.Admin.AdminCommandException($"--support-until: '{text}' is not a date as YYYY-MM-DD");
            }

            var body = new AddDeviceRequest(DeviceIdArgument.ValueOf(parse, id, forNewDevice: true), parse.GetValue(model), parse.GetValue(vendor), parse.GetValue(hardware),
                parse.GetValue(site), parse.GetValue(zone), parse.GetValue(tags), support);
            var added = await target.SendAsync<AddDeviceResponse>(parse, HttpMethod.Post, "api/v1/devices", cancellationToken, body);
            Console.WriteLine($"device {added.Device.Id} added ({Name(added.Device.State)})");
            PrintToken(added.BootstrapToken);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var state = new Option<DeviceState?>("--state") { Description = "Only devices in this state" };
        var after = new Option<string?>("--after") { Description = "Start after this id (paging)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (1-1000, default 100)" };
        var command = target.AddTo(new Command("list", "List devices in id order.") { state, after, limit });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = new List<string>();
            if (parse.GetValue(state) is { } s)
            {
                query.Add($"state={Name(s)}");
            }

            if (parse.GetValue(after) is { } a)
            {
                query.Add($"after={Uri.EscapeDataString(a)}");
            }

            if (parse.GetValue(limit) is { } l)
            {
                query.Add($"limit={l}");
            }

            var page = await target.SendAsync<DevicePage>(parse, HttpMethod.Get, "api/v1/devices?" + string.Join("&", query), cancellationToken);
            Console.WriteLine($"{"ID",-24} {"STATE",-12} {"MODEL",-16} {"VENDOR",-16} {"SITE",-12} ZONE");
            foreach (var device in page.Items)
            {
                Console.WriteLine($"{device.Id,-24} {Name(device.State),-12} {device.Model ?? "-",-16} {device.Vendor ?? "-",-16} {device.Site ?? "-",-12} {device.Zone ?? "-"}");
            }

            if (page.Next is not null)
            {
                Console.WriteLine($"(more: --after {page.Next})");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create();
        var command = target.AddTo(new Command("show", "Show a device and its certificates.") { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = await target.SendAsync<DeviceResponse>(parse, HttpMethod.Get, $"api/v1/devices/{Uri.EscapeDataString(DeviceIdArgument.ValueOf(parse, id))}", cancellationToken);
            var certificates = await target.SendAsync<CertificateResponse[]>(parse, HttpMethod.Get, $"api/v1/devices/{Uri.EscapeDataString(device.Id)}/certificates", cancellationToken);
            var traffic = await target.SendAsync<DeviceTrafficResponse>(parse, HttpMethod.Get, $"api/v1/devices/{Uri.EscapeDataString(device.Id)}/traffic", cancellationToken);
            Console.WriteLine($"id:                {device.Id}");
            Console.WriteLine($"state:             {Name(device.State)}");
            Console.WriteLine($"model:             {device.Model ?? "-"}");
            Console.WriteLine($"vendor:            {device.Vendor ?? "-"}");
            Console.WriteLine($"hardware revision: {device.HardwareRevision ?? "-"}");
            Console.WriteLine($"firmware version:  {device.FirmwareVersion ?? "-"}");
            Console.WriteLine($"firmware running:  {await RunningFirmwareAsync(target, parse, device.Id, cancellationToken)}");
            Console.WriteLine($"site:              {device.Site ?? "-"}");
            Console.WriteLine($"zone:              {device.Zone ?? "-"}");
            Console.WriteLine($"tags:              {(device.Tags.Count == 0 ? "-" : string.Join(", ", device.Tags))}");
            Console.WriteLine($"support until:     {device.SupportUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"}");
            Console.WriteLine($"created:           {device.Created:u}");
            Console.WriteLine($"mqtt:              {(traffic.Connected ? "connected" : "not connected")}; in {traffic.MessagesIn} msgs/{traffic.BytesIn} B, out {traffic.MessagesOut} msgs/{traffic.BytesOut} B");
            Console.WriteLine($"                   denials {traffic.AuthorizationFailures}, limit hits {traffic.LimitHits}, dropped {traffic.Dropped}, connection attempts {traffic.ConnectionAttempts}, disconnects {traffic.Disconnects}");
            Console.WriteLine($"sources:           {(traffic.Sources.Count == 0 ? "-" : string.Join(", ", traffic.Sources))}");
            Console.WriteLine($"certificates:      {(certificates.Length == 0 ? "none" : string.Empty)}");
            foreach (var certificate in certificates)
            {
                var status = certificate.Revoked ? $"revoked {certificate.RevokedAt:u} ({certificate.RevocationReason})" : $"valid until {certificate.NotAfter:u}";
                Console.WriteLine($"  {certificate.Serial}  {status}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Retire() => Simple("retire", "Retire a device for good: revoke its certificates and tokens, end its sessions.", async (send, id, cancellationToken) =>
    {
        var revoked = await send.SendAsync<RevokeResponse>(HttpMethod.Post, $"api/v1/devices/{Uri.EscapeDataString(id)}/retire", cancellationToken);
        Console.WriteLine($"device {id} retired; certificates revoked: {(revoked.Revoked.Count == 0 ? "none" : string.Join(", ", revoked.Revoked))}");
    });

    private static Command Token() => Simple("token", "Issue a new bootstrap token for a device (revokes its unused ones).", async (send, id, cancellationToken) =>
        PrintToken(await send.SendAsync<BootstrapTokenResponse>(HttpMethod.Post, $"api/v1/devices/{Uri.EscapeDataString(id)}/bootstrap-token", cancellationToken)));

    private static Command Quarantine() => WithReason("quarantine", "Confine an active device: its sessions lose their permissions.", "quarantined");

    private static Command Release() => WithReason("release",
        "Release a quarantined device back to active. It must have reported, since its quarantine, the firmware measurement of its installed release "
        + "(its last update report, else the inventory's firmware version); with no installed release recorded it stays quarantined (409 with the reason).", "released");

    private static Command WithReason(string name, string description, string done)
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create();
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit log)", Required = true };
        var command = target.AddTo(new Command(name, description) { id, reason });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = await target.SendAsync<DeviceResponse>(parse, HttpMethod.Post,
                $"api/v1/devices/{Uri.EscapeDataString(DeviceIdArgument.ValueOf(parse, id))}/{name}", cancellationToken, new ReasonRequest(parse.GetValue(reason)!));
            Console.WriteLine($"device {device.Id} {done} ({Name(device.State)})");
            return 0;
        }));
        return command;
    }

    private static Command Simple(string name, string description, Func<BoundTarget, string, CancellationToken, Task> action)
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create();
        var command = target.AddTo(new Command(name, description) { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            await action(new BoundTarget(target, parse), DeviceIdArgument.ValueOf(parse, id), cancellationToken);
            return 0;
        }));
        return command;
    }

    private static void PrintToken(BootstrapTokenResponse token)
    {
        Console.WriteLine($"bootstrap token for {token.DeviceId} (single use, expires {token.Expires:u}; shown once):");
        Console.WriteLine($"  {token.Token}");
    }

    private static string Name(DeviceState state) => state.ToString().ToLowerInvariant();

    // What the device reported on its last update report, or why there is nothing to show.
    private static async Task<string> RunningFirmwareAsync(AdminTarget target, ParseResult parse, string id, CancellationToken cancellationToken)
    {
        try
        {
            var runs = await target.SendAsync<ReportedFirmwareResponse>(parse, HttpMethod.Get, $"api/v1/devices/{Uri.EscapeDataString(id)}/firmware", cancellationToken);
            return $"{runs.Version} (svn {runs.Svn}, reported {runs.Reported:u})";
        }
        catch (Server.Admin.AdminCommandException exception) when (exception.Message.Contains("has not reported", StringComparison.Ordinal))
        {
            return "- (not reported)";
        }
    }
}
