using System.CommandLine;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart events list</c>: recent security events.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "Only this device's events" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var list = target.AddTo(new Command("list", "Recent security events, newest first.") { device, limit });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = $"?limit={parse.GetValue(limit)}" + (parse.GetValue(device) is { } d ? $"&device={Uri.EscapeDataString(d)}" : string.Empty);
            foreach (var e in await target.SendAsync<SecurityEventResponse[]>(parse, HttpMethod.Get, "api/v1/events" + query, cancellationToken))
            {
                Console.WriteLine($"{e.Time:u} {e.Severity,-7} {e.Kind,-24} {e.DeviceId ?? "-",-20} {e.Source ?? "-",-15} {string.Join(" ", e.Details.Select(p => $"{p.Key}={p.Value}"))}");
            }

            return 0;
        }));
        return new Command("events", "Security events.") { list };
    }
}
