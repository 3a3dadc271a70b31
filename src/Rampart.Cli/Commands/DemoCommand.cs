using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Hosting;
using Rampart.Simulator;
using Spectre.Console;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart demo</c>: a node in a temporary directory and a simulated fleet on it — a few devices of
/// each misbehaviour among well-behaved ones — with enrollment progress, live counts and security
/// events as they happen, and a summary of what the node saw at the end.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices (default 200)", DefaultValueFactory = _ => 200 };
        var duration = new Option<int?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl-C)" };
        var rollout = new Option<bool>("--rollout") { Description = "Once the fleet is up, sign a firmware release, promote it (four-eyes) and roll it out in waves" };
        var waitReady = RunClock.WaitReadyOption();
        var attack = new Option<bool>("--attack") { Description = "When the fleet has run, attack the node with rampart attack's battery and show which controls held" };
        var profiles = new SimulationProfiles();
        var command = profiles.AddTo(new Command("demo", "Start a throwaway node and a simulated fleet (some devices misbehave) and watch Rampart contain them.")
        {
            devices, duration, waitReady, rollout, attack,
        });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (parse.GetValue(duration) is < 1 and var seconds)
            {
                throw new Server.Admin.AdminCommandException($"--duration: must be at least 1 second (it is {seconds})");
            }

            RunClock.Check(parse.GetValue(waitReady));

            var count = Math.Clamp(parse.GetValue(devices), 1, 10_000);
            var misbehaving = profiles.Counts(parse, defaultEach: Math.Max(1, count / 40), count);
            var data = Path.Combine(Path.GetTempPath(), "rampart-demo-" + Guid.NewGuid().ToString("N")[..8]);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Rampart:DataDirectory"] = data,
                ["Rampart:Https"] = "127.0.0.1:0",
                ["Rampart:Mqtt"] = "127.0.0.1:0",
                ["Rampart:Gateway:MaxUnauthenticatedPerSource"] = "1000",
                ["Logging:LogLevel:Default"] = "Warning",

                // A throwaway node: its unencrypted keys are deleted at the end, and the demo prints rollout outcomes itself.
                ["Logging:LogLevel:Rampart.Server.Updates"] = "Error",
            }.Concat(DemoDetection.Settings(misbehaving.Values.Sum()))).Build();
            try
            {
                await using var node = await RampartNode.StartAsync(configuration, TextWriter.Null, cancellationToken);
                var code = await RunAsync(node, data, count, misbehaving, (parse.GetValue(duration), parse.GetValue(waitReady)), parse.GetValue(rollout), cancellationToken);
                return parse.GetValue(attack) ? await AttackAsync(node, cancellationToken) : code;
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(data, recursive: true);
            }
        }));
        return command;
    }

    private static async Task<int> RunAsync(
        RampartNode node, string data, int count, Dictionary<Misbehaviour, int> misbehaving, (int? Duration, int? WaitReady) clock, bool rollout, CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine($"[bold]Rampart demo[/]: node on [blue]{node.HttpsUri}[/] (MQTT [blue]{node.MqttEndPoint}[/]), data in {data}");
        AnsiConsole.MarkupLine($"Watch it from another terminal: [grey]rampart events tail --data {data}[/], [grey]rampart device list --data {data}[/]");
        AnsiConsole.MarkupLine("Misbehaving: " + string.Join(", ", misbehaving.Where(p => p.Value > 0).Select(p => $"{p.Value} {Name(p.Key)}")));

        var services = node.Services;
        var inventory = services.GetRequiredService<InventoryService>();
        var options = new SimulationOptions
        {
            EstServer = node.HttpsUri,
            MqttHost = node.MqttEndPoint.Address.ToString(),
            MqttPort = node.MqttEndPoint.Port,
            TrustedRoot = X509CertificateLoader.LoadCertificate(services.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>().Root.RawData),
            Devices = count,
            Prefix = "demo",
            Model = "demo-sensor",
            TelemetryInterval = TimeSpan.FromSeconds(2),
            Misbehaving = misbehaving,
            MisbehaveAfter = TimeSpan.FromSeconds(10),
            DriftGrowth = 1.15,
        };
        var simulation = new FleetSimulation(options, new InventoryProvisioner(inventory));

        // The node's own view: every security event recorded while the demo runs.
        using var events = services.GetRequiredService<FleetEventStream>().Subscribe();
        var seen = new ConcurrentQueue<SecurityEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var fleetEvent in events.Events.ReadAllAsync(CancellationToken.None))
            {
                if (fleetEvent is SecurityEventRecorded { Event: var e })
                {
                    seen.Enqueue(e);
                }
            }
        }, CancellationToken.None);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = new DemoRollout(services, options.Model);
        var enrolling = count - misbehaving.GetValueOrDefault(Misbehaviour.DefaultCreds);
        var over = RunClock.StopWhenOverAsync(stop, clock.Duration, clock.WaitReady,
            () => simulation.Stats.Enrolled + simulation.Stats.EnrollFailures >= enrolling && simulation.Stats.Connected >= simulation.Stats.Enrolled,
            rollout ? updates.EndedAsync : null);
        var running = simulation.RunAsync(stop.Token);
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var enrolling = progress.AddTask("Enrolling devices over EST", maxValue: count - misbehaving.GetValueOrDefault(Misbehaviour.DefaultCreds));
            while (!enrolling.IsFinished && !running.IsCompleted)
            {
                enrolling.Value = simulation.Stats.Enrolled + simulation.Stats.EnrollFailures;
                await Task.Delay(200, CancellationToken.None);
            }

            enrolling.Value = enrolling.MaxValue;
        });

        var report = new SimulationReport(simulation, count);
        if (rollout && !running.IsCompleted)
        {
            await updates.StartAsync(count, stop.Token);
        }

        var shown = 0;
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape(report.Status()) + "[/]");
            if (await updates.StatusAsync(CancellationToken.None) is { } line)
            {
                AnsiConsole.MarkupLine("[grey]" + Markup.Escape(line) + "[/]");
            }

            // Alerts and automatic responses as they happen, all of them; other warnings a few at a time.
            var fresh = seen.Skip(shown).Where(e => e.Severity != SecuritySeverity.Info).ToArray();
            foreach (var e in fresh.Where(DemoDetection.IsDetection).Concat(fresh.Where(e => !DemoDetection.IsDetection(e)).Take(6)))
            {
                var colour = e.Severity == SecuritySeverity.High ? "red" : "yellow";
                AnsiConsole.MarkupLine($"  [{colour}]{Markup.Escape(e.Kind)}[/] {Markup.Escape(e.DeviceId ?? e.Source ?? "-")} {Markup.Escape(Reason(e))}");
            }

            shown = seen.Count;
        }

        await over;
        Summary(simulation, [.. seen], misbehaving);
        if (await updates.StatusAsync(CancellationToken.None) is { } final)
        {
            AnsiConsole.MarkupLine(Markup.Escape(final));
        }

        return 0;
    }

    // The red team against the demo node, staged through its admin socket like `rampart attack --data`.
    private static async Task<int> AttackAsync(RampartNode node, CancellationToken cancellationToken)
    {
        AnsiConsole.Write(new Rule("[bold]rampart attack[/]"));
        using var admin = new Rampart.Server.Admin.AdminClient(Path.Combine(node.DataDirectory, "admin.sock"));
        var root = X509CertificateLoader.LoadCertificate(node.Services.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>().Root.RawData);
        var target = new Rampart.Attack.Battery.AttackTarget(node.HttpsUri, node.MqttEndPoint, root);
        return await AttackCommand.RunAsync(target, new AttackCommand.AdminAttackFleet(admin), Rampart.Attack.Battery.AttackBattery.All, json: false, cancellationToken);
    }

    private static void Summary(FleetSimulation simulation, IReadOnlyList<SecurityEvent> events, Dictionary<Misbehaviour, int> misbehaving)
    {
        var stats = simulation.Stats;
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("devices enrolled", $"{stats.Enrolled} (failed {stats.EnrollFailures})");
        table.AddRow("messages sent", stats.MessagesSent.ToString(CultureInfo.InvariantCulture));
        table.AddRow("publishes refused (device side)", string.Join(", ", stats.RefusedPublishes.Select(p => $"{p.Key} {p.Value}")) is { Length: > 0 } refused ? refused : "none");
        table.AddRow("connections refused (default credentials)", stats.RefusedConnections.ToString(CultureInfo.InvariantCulture));
        foreach (var group in events.Where(e => e.Severity != SecuritySeverity.Info)
                     .GroupBy(e => e.Kind + (Cause(e) is { Length: > 0 } cause ? $" ({cause})" : string.Empty)).OrderByDescending(g => g.Count()))
        {
            table.AddRow("  " + Markup.Escape(group.Key), group.Count().ToString(CultureInfo.InvariantCulture));
        }

        // Which misbehaving devices the node flagged (by its warning and high events), per profile.
        var flagged = events.Where(e => e.Severity != SecuritySeverity.Info && e.DeviceId is not null).Select(e => e.DeviceId!).ToHashSet(StringComparer.Ordinal);
        foreach (var (profile, devices) in simulation.Devices.Where(d => d.Profile != Misbehaviour.None).GroupBy(d => d.Profile).Select(g => (g.Key, g.ToList())))
        {
            var detected = profile == Misbehaviour.DefaultCreds
                ? (stats.RefusedConnections > 0 ? devices.Count : 0)
                : devices.Count(d => flagged.Contains(d.Id));
            table.AddRow($"{Name(profile)} devices flagged", $"{detected} of {misbehaving.GetValueOrDefault(profile)}");
        }

        var innocent = simulation.Devices.Where(d => d.Profile == Misbehaviour.None).Count(d => flagged.Contains(d.Id));
        table.AddRow("well-behaved devices flagged", innocent.ToString(CultureInfo.InvariantCulture));
        DemoDetection.AddRows(table, simulation, events, Name);
        AnsiConsole.Write(new Rule("[bold]Summary[/]"));
        AnsiConsole.Write(table);
    }

    // What a summary groups by: the reason or limit, not the topic (one row per topic would say little).
    private static string Cause(SecurityEvent e) =>
        e.Details.TryGetValue("reason", out var reason) && e.Kind != "gateway.disconnected" ? reason
        : e.Details.TryGetValue("limit", out var limit) ? limit
        : e.Details.TryGetValue("reason-code", out var code) ? code
        : string.Empty;

    private static string Reason(SecurityEvent e) =>
        e.Details.TryGetValue("response", out var response) ? $"{response} (alert {e.Details.GetValueOrDefault("alert")})"
        : e.Details.TryGetValue("summary", out var summary) ? $"{e.Details.GetValueOrDefault("detector")}: {summary}"
        : e.Details.TryGetValue("reason", out var reason) ? reason
        : e.Details.TryGetValue("limit", out var limit) ? limit
        : e.Details.TryGetValue("topic", out var topic) ? topic
        : e.Details.TryGetValue("filter", out var filter) ? filter
        : string.Empty;

    private static string Name(Misbehaviour profile) => profile switch
    {
        Misbehaviour.DefaultCreds => "default-creds",
        Misbehaviour.BadUpdate => "bad-update",
        Misbehaviour.RebootLoop => "reboot-loop",
        _ => profile.ToString().ToLowerInvariant(),
    };

    private sealed class InventoryProvisioner(InventoryService inventory) : IFleetProvisioner
    {
        public async Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken) =>
            (await inventory.AddAsync(new NewDevice(id, Model: model, SupportUntil: supportUntil), "demo", cancellationToken)).Token.Token;
    }
}
