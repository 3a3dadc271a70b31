using System.CommandLine;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Server.Admin;
using Rampart.Server.Detection;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart alerts list|show|ack|resolve|suppress</c>: work the alerts detection raised.</summary>
internal static class AlertsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create() => new("alerts", "Alerts raised by detection: list, show, acknowledge, resolve, suppress.")
    {
        List(), Show(), Ack(), Resolve(), Suppress(), Release(),
    };

    private static Command List()
    {
        var target = new AdminTarget();
        var state = new Option<string?>("--state") { Description = "open, acknowledged, resolved or suppressed" };
        var device = new Option<string?>("--device") { Description = "Only this device's alerts" };
        var severity = new Option<string?>("--severity") { Description = "At least this severity: low, medium, high, critical" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the alerts as JSON" };
        var list = target.AddTo(new Command("list", "Alerts, newest first.") { state, device, severity, limit, json });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = $"?limit={parse.GetValue(limit)}" + Filter("state", parse.GetValue(state)) + Filter("device", parse.GetValue(device)) + Filter("severity", parse.GetValue(severity));
            var page = await target.SendAsync<AlertPage>(parse, HttpMethod.Get, "api/v1/alerts" + query, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(page.Items, Json));
                return 0;
            }

            foreach (var alert in page.Items)
            {
                Console.WriteLine(Line(alert));
            }

            return 0;
        }));
        return list;
    }

    private static Command Show()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var json = new Option<bool>("--json") { Description = "Print the alert as JSON" };
        var show = target.AddTo(new Command("show", "One alert: its evidence, lifecycle, response and the device's recent windows.") { id, json });
        show.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var detail = await target.SendAsync<AlertDetailResponse>(parse, HttpMethod.Get, $"api/v1/alerts/{parse.GetValue(id)}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(detail, Json));
                return 0;
            }

            var alert = detail.Alert;
            Console.WriteLine(Line(alert));
            Console.WriteLine(Echo.Inert($"  first seen {alert.FirstSeen:u}, last seen {alert.LastSeen:u}, {alert.Occurrences} time(s); changed by {alert.ChangedBy ?? "-"} at {alert.Changed:u}"));
            if (alert.SuppressedUntil is { } until)
            {
                Console.WriteLine($"  suppressed until {until:u}");
            }

            foreach (var (label, value) in new[] { ("reason", alert.Reason), ("response", alert.Response) })
            {
                if (value is not null)
                {
                    Console.WriteLine(Echo.Inert($"  {label}: {value}"));
                }
            }

            foreach (var (key, value) in alert.Evidence.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine(Echo.Inert($"  {key} = {value}"));
            }

            if (detail.RecentWindows.Count > 0)
            {
                Console.WriteLine($"  last {detail.RecentWindows.Count} window(s), oldest first:");
                foreach (var window in detail.RecentWindows)
                {
                    Console.WriteLine("    " + string.Join(" ", window.Where(p => p.Value != 0).Select(p => $"{p.Key}={p.Value}")));
                }
            }

            return 0;
        }));
        return show;
    }

    private static Command Ack()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var note = new Option<string?>("--note") { Description = "What you are doing about it" };
        var ack = target.AddTo(new Command("ack", "Acknowledge an open alert: you are working on it.") { id, note });
        ack.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            Console.WriteLine(Line(await target.SendAsync<AlertResponse>(parse, HttpMethod.Post, $"api/v1/alerts/{parse.GetValue(id)}/ack", cancellationToken,
                new AcknowledgeRequest(parse.GetValue(note)))));
            return 0;
        }));
        return ack;
    }

    private static Command Resolve()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var reason = new Option<string>("--reason") { Description = "What was found and done", Required = true };
        var resolve = target.AddTo(new Command("resolve", "Resolve an alert; a new finding opens a new one.") { id, reason });
        resolve.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            Console.WriteLine(Line(await target.SendAsync<AlertResponse>(parse, HttpMethod.Post, $"api/v1/alerts/{parse.GetValue(id)}/resolve", cancellationToken,
                new Rampart.Server.Api.ReasonRequest(parse.GetValue(reason)!))));
            return 0;
        }));
        return resolve;
    }

    private static Command Suppress()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var reason = new Option<string>("--reason") { Description = "Why findings may be ignored meanwhile", Required = true };
        var minutes = new Option<int?>("--minutes") { Description = "For this many minutes" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Until this time (ISO 8601)" };
        var suppress = target.AddTo(new Command("suppress", "Suppress an alert until a time: findings join it silently; after that the next one reopens it.") { id, reason, minutes, until });
        suppress.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if ((parse.GetValue(minutes) is null) == (parse.GetValue(until) is null))
            {
                throw new AdminCommandException("give either --minutes or --until");
            }

            Console.WriteLine(Line(await target.SendAsync<AlertResponse>(parse, HttpMethod.Post, $"api/v1/alerts/{parse.GetValue(id)}/suppress", cancellationToken,
                new SuppressRequest(parse.GetValue(reason)!, parse.GetValue(until), parse.GetValue(minutes)))));
            return 0;
        }));
        return suppress;
    }

    private static Command Release()
    {
        var target = new AdminTarget();
        var device = new Argument<string>("DEVICE");
        var reason = new Option<string>("--reason") { Description = "Why it may go back to work", Required = true };
        var release = target.AddTo(new Command("release", "Release a quarantined device (same check as `rampart device release`): it must have reported, since its quarantine, "
            + "the firmware measurement of its installed release (its last update report, else the inventory's firmware version); with no installed release recorded it stays quarantined.") { device, reason });
        release.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var released = await target.SendAsync<Rampart.Server.Api.DeviceResponse>(parse, HttpMethod.Post, $"api/v1/detection/release/{Uri.EscapeDataString(parse.GetValue(device)!)}", cancellationToken,
                new Rampart.Server.Api.ReasonRequest(parse.GetValue(reason)!));
            Console.WriteLine(Echo.Inert($"{released.Id}: {released.State}"));
            return 0;
        }));
        return release;
    }

    private static string Filter(string name, string? value) => value is null ? string.Empty : $"&{name}={Uri.EscapeDataString(value)}";

    // Summaries quote what devices reported (ports, addresses, flags): made inert for the terminal.
    private static string Line(AlertResponse alert) =>
        Echo.Inert($"{alert.Id,6} {alert.State,-12} {alert.Severity,-8} {alert.DeviceId,-20} {alert.Detector,-32} {alert.Summary}{(alert.Response is null ? "" : $" [{alert.Response}]")}");
}
