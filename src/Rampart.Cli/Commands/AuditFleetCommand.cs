using System.CommandLine;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Risk;
using Rampart.Server.Admin;
using Rampart.Server.Posture;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart audit-fleet run|list|show|suppress</c>: the fleet audit (apart from <c>rampart audit verify</c>, which checks the audit log).</summary>
internal static class AuditFleetCommand
{
    private static readonly JsonSerializerOptions Json = new(AdminClient.Json) { WriteIndented = true };

    public static Command Create() => new("audit-fleet", "Audit the fleet's security configuration (certificates, templates, export, firmware, services, quarantines, tokens, MFA).")
    {
        Run(), List(), Show(), Suppress(), Trend(),
    };

    private static Command Run()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print the run as JSON" };
        var run = target.AddTo(new Command("run", "Run every check now; prints findings and what changed since the previous run. Exit 1 when a check is non-compliant.") { json });
        run.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
            Print(await target.SendAsync<AuditRunResponse>(parse, HttpMethod.Post, "api/v1/posture/audits", cancellationToken, new { }), parse.GetValue(json))));
        return run;
    }

    private static Command Show()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("RUN");
        var json = new Option<bool>("--json") { Description = "Print the run as JSON" };
        var show = target.AddTo(new Command("show", "One run: its findings and the difference from the run before it.") { id, json });
        show.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
            Print(await target.SendAsync<AuditRunResponse>(parse, HttpMethod.Get, $"api/v1/posture/audits/{parse.GetValue(id)}", cancellationToken), parse.GetValue(json))));
        return show;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var limit = new Option<int>("--limit") { Description = "How many, newest first (default 20)", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the runs as JSON" };
        var list = target.AddTo(new Command("list", "Every run kept, newest first.") { limit, json });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var runs = await target.SendAsync<AuditRun[]>(parse, HttpMethod.Get, $"api/v1/posture/audits?limit={parse.GetValue(limit)}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(runs, Json));
                return 0;
            }

            foreach (var run in runs)
            {
                Console.WriteLine(Echo.Inert($"{run.Id,6} {run.Finished:u} {run.Trigger,-10} {run.Devices,7} devices {run.NonCompliant,3} non-compliant check(s)  by {run.Actor}"));
            }

            return 0;
        }));
        return list;
    }

    private static Command Suppress()
    {
        var target = new AdminTarget();
        var check = new Argument<string>("CHECK") { Description = "The check's id (see rampart audit-fleet run)" };
        var resource = new Option<string?>("--resource") { Description = "Only this resource (device/d1, certificate/0A…); default: the whole check" };
        var until = new Option<DateTimeOffset>("--until") { Description = "Until this time (ISO 8601), at most 365 days ahead", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the finding may be ignored until then", Required = true };
        var suppress = target.AddTo(new Command("suppress", "Suppress a finding until a date, with a reason (audited); it returns after that date.") { check, resource, until, reason });
        suppress.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var done = await target.SendAsync<Suppression>(parse, HttpMethod.Post, "api/v1/posture/audits/suppressions", cancellationToken,
                new SuppressFindingRequest(parse.GetValue(check)!, parse.GetValue(resource), parse.GetValue(until), parse.GetValue(reason)!));
            Console.WriteLine(Echo.Inert($"suppression {done.Id}: {done.Check} {done.Resource ?? "(all resources)"} until {done.Until:u}"));
            return 0;
        }));
        return suppress;
    }

    private static Command Trend()
    {
        var target = new AdminTarget();
        var days = new Option<int>("--days") { Description = "How many days back (1 to 366, default 30)", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json") { Description = "Print the trend as JSON" };
        var trend = target.AddTo(new Command("trend", "The fleet's posture per day (the snapshot each audit run keeps): mean risk, risk bands, compliance per standard, findings.") { days, json });
        trend.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var result = await target.SendAsync<PostureTrend>(parse, HttpMethod.Get, $"api/v1/posture/trend?days={parse.GetValue(days)}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, Json));
                return 0;
            }

            Console.WriteLine($"{"day",-10} {"devices",8} {"risk",6} {"findings",8}  compliance");
            foreach (var day in result.Days)
            {
                Console.WriteLine(Echo.Inert($"{day.At:yyyy-MM-dd} {day.Devices,8} {day.MeanRisk,6:0.0} {day.Findings,8}  "
                    + string.Join(", ", day.Compliance.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value:P1}"))));
            }

            Console.WriteLine(result.Change is { } change ? Echo.Inert($"change: {change}") : "fewer than two days with a run: no change to show");
            return 0;
        }));
        return trend;
    }

    private static int Print(AuditRunResponse response, bool json)
    {
        var (run, diff) = (response.Run, response.Diff);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(response, Json));
            return run.NonCompliant > 0 ? 1 : 0;
        }

        Console.WriteLine(Echo.Inert($"fleet audit {run.Id} ({run.Trigger}, {run.Finished:u}): {run.Devices} devices, {run.NonCompliant} non-compliant check(s)"));
        foreach (var check in run.Checks)
        {
            var status = check.Status switch { CheckStatus.Compliant => "ok", CheckStatus.NonCompliant => check.Severity.ToString().ToUpperInvariant(), _ => "n/a" };
            Console.WriteLine(Echo.Inert($"  {status,-8} {check.Check,-44} {check.Summary}"));
            if (check.Status == CheckStatus.NonCompliant)
            {
                foreach (var resource in check.Resources.Take(10))
                {
                    Console.WriteLine(Echo.Inert($"             {resource}"));
                }

                if (check.ResourceCount > 10)
                {
                    Console.WriteLine($"             … and {check.ResourceCount - 10} more (--json lists up to {CheckResult.MaxResources})");
                }

                Console.WriteLine(Echo.Inert($"             fix: {check.Fix}"));
            }
        }

        Console.WriteLine(diff.Previous is { } previous ? $"since run {previous}:" : "no previous run to compare with");
        foreach (var change in diff.Checks.Where(_ => diff.Previous is not null))
        {
            Console.WriteLine(Echo.Inert($"  {change.Check}: {change.Was?.ToString() ?? "-"} -> {change.Now}; +{change.NewResources.Count} new, -{change.ResolvedResources.Count} resolved"));
        }

        return run.NonCompliant > 0 ? 1 : 0;
    }
}
