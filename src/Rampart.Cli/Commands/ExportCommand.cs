using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rampart.Server.Export;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart export status</c>: per export destination, what is queued, delivered and dropped, and the last error.</summary>
internal static class ExportCommand
{
    public static Command Create() => new("export", "Export of security events and audit checkpoints to syslog collectors and webhooks.") { Status() };

    private static Command Status()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var status = target.AddTo(new Command("status", "Per destination: records queued, delivered, dropped, and the last error.") { json });
        status.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var destinations = await target.SendAsync<ExportStatusResponse[]>(parse, HttpMethod.Get, "api/v1/export/status", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(destinations, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
                return 0;
            }

            if (destinations.Length == 0)
            {
                Console.WriteLine("no export destination is configured (Rampart:Export:Syslog:NAME:…, Rampart:Export:Webhooks:NAME:…)");
                return 0;
            }

            Console.WriteLine($"{"DESTINATION",-28} {"QUEUED",8} {"DELIVERED",10} {"DROPPED",8}  STATE");
            foreach (var d in destinations)
            {
                Console.WriteLine($"{d.Destination,-28} {d.Queued,8} {d.Delivered,10} {d.Dropped,8}  {State(d)}");
            }

            return 0;
        }));
        return status;
    }

    private static string State(ExportStatusResponse d) => d.FailedAttempts == 0
        ? d.LastDelivered is { } delivered ? "ok, last delivery " + delivered.ToString("u", CultureInfo.InvariantCulture) : "ok"
        : $"failing ({d.FailedAttempts} attempts, next {d.NextAttempt?.ToString("u", CultureInfo.InvariantCulture) ?? "soon"}): {d.LastError}";
}
