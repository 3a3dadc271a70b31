using System.CommandLine;
using Rampart.Fleet.Errors;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart events list|tail</c>: recent security events, or follow them as they happen.</summary>
internal static class EventsCommand
{
    public static Command Create() => new("events", "Security events.") { List(), Tail() };

    private static Command List()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "Only this device's events" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var list = target.AddTo(new Command("list", "Recent security events, newest first.") { device, limit });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = $"?limit={parse.GetValue(limit)}" + DeviceFilter(parse.GetValue(device));
            foreach (var e in await target.SendAsync<SecurityEventResponse[]>(parse, HttpMethod.Get, "api/v1/events" + query, cancellationToken))
            {
                Print(e);
            }

            return 0;
        }));
        return list;
    }

    private static Command Tail()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "Only this device's events" };
        var last = new Option<int>("--last") { Description = "Recent events shown first (default 10)", DefaultValueFactory = _ => 10 };
        var duration = new Option<int?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl-C)" };
        var tail = target.AddTo(new Command("tail", "Follow security events as they are recorded (connections, refusals, denials, limits).") { device, last, duration });
        tail.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var filter = DeviceFilter(parse.GetValue(device));
            var recent = await target.SendAsync<SecurityEventResponse[]>(parse, HttpMethod.Get, $"api/v1/events?limit={Math.Max(1, parse.GetValue(last))}{filter}", cancellationToken);
            var cursor = recent.Length > 0 ? recent.Max(e => e.Id) : 0;
            foreach (var e in recent.Reverse().Take(parse.GetValue(last)))
            {
                Print(e);
            }

            // --duration is how long to follow: it starts once the recent events are shown, so a slow
            // start (a busy machine, a far node) never cuts the backlog short.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (parse.GetValue(duration) is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stop.Token);
                    var next = await target.SendAsync<SecurityEventResponse[]>(parse, HttpMethod.Get, $"api/v1/events?after={cursor}&limit=1000{filter}", stop.Token);
                    foreach (var e in next)
                    {
                        Print(e);
                        cursor = e.Id;
                    }

                    await Console.Out.FlushAsync(stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl-C or --duration: a normal end.
            }

            return 0;
        }));
        return tail;
    }

    private static string DeviceFilter(string? device) => device is null ? string.Empty : $"&device={Uri.EscapeDataString(device)}";

    // Details carry what devices and clients sent (topics, client ids, certificate subjects): made
    // inert, so a device cannot put an escape sequence on an operator's terminal.
    private static void Print(SecurityEventResponse e) =>
        Console.WriteLine(Echo.Inert($"{e.Time:u} {e.Severity,-7} {e.Kind,-28} {e.DeviceId ?? "-",-20} {e.Source ?? "-",-15} {string.Join(" ", e.Details.Select(p => $"{p.Key}={p.Value}"))}"));
}
