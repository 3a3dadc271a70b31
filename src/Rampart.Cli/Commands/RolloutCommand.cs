using System.CommandLine;
using System.Globalization;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart rollout create|status|list|pause|resume|cancel</c>: staged rollouts of production releases.</summary>
internal static class RolloutCommand
{
    public static Command Create() => new("rollout", "Staged rollouts: canary, growing waves, a rate limit and abort criteria.")
    {
        New(), Status(), Devices(), List(), Steer("pause", "Stop notifying devices (those told carry on)."), Steer("resume", "Continue a paused rollout."),
        Steer("cancel", "Stop a rollout for good."),
    };

    private static Command New()
    {
        var target = new AdminTarget();
        var release = new Option<string>("--release") { Description = "A release in production", Required = true };
        var select = new Option<string>("--select") { Description = "model=…,site=…,zone=…,tag=… (all must hold; tag repeatable)", Required = true };
        var canary = new Option<int?>("--canary") { Description = "Devices in the canary wave (default 5)" };
        var canaryPercent = new Option<double?>("--canary-percent") { Description = "Canary wave as a percentage of the selection" };
        var steps = new Option<string?>("--steps") { Description = "Cumulative percentages of the later waves (default 10,50,100)" };
        var rate = new Option<int?>("--rate") { Description = "Most devices notified a minute (default 60)" };
        var abort = new Option<double?>("--abort-failure-percent") { Description = "Abort when more than this share of finished devices failed (default 10)" };
        var minimum = new Option<int?>("--min-executed") { Description = "Finished devices before the abort criterion is judged (default 5)" };
        var timeout = new Option<int?>("--device-timeout") { Description = "Seconds a notified device has to finish (default 1800)" };
        var command = target.AddTo(new Command("create", "Start a rollout of a production release to the selected devices.")
        {
            release, select, canary, canaryPercent, steps, rate, abort, minimum, timeout,
        });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            IReadOnlyList<double>? waves = null;
            if (parse.GetValue(steps) is { } text)
            {
                waves = text.Split(',', StringSplitOptions.TrimEntries).Select(step => double.TryParse(step, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? value : throw new AdminCommandException($"--steps: '{step}' is not a number")).ToArray();
            }

            var created = await target.SendAsync<RolloutResponse>(parse, HttpMethod.Post, "api/v1/rollouts", cancellationToken, new NewRolloutRequest(
                parse.GetValue(release), parse.GetValue(select), parse.GetValue(canary), parse.GetValue(canaryPercent), waves, parse.GetValue(rate),
                parse.GetValue(abort), parse.GetValue(minimum), parse.GetValue(timeout)));
            Print(created);
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var command = target.AddTo(new Command("status", "A rollout's progress: devices by state, overall and per wave, and why devices failed.") { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var rollout = await target.SendAsync<RolloutResponse>(parse, HttpMethod.Get, $"api/v1/rollouts/{parse.GetValue(id)}", cancellationToken);
            Print(rollout);
            foreach (var state in new[] { "failed", "rolled-back", "skipped" })
            {
                var devices = await target.SendAsync<RolloutDeviceResponse[]>(parse, HttpMethod.Get, $"api/v1/rollouts/{rollout.Id}/devices?state={state}&limit=20", cancellationToken);
                foreach (var device in devices)
                {
                    Console.WriteLine($"  {state,-11} {device.DeviceId,-24} {device.Detail}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Devices()
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var state = new Option<string?>("--state") { Description = "Only devices in this state (pending, notified, downloading, installing, succeeded, failed, rolled-back, skipped)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (default: all, a thousand per request)", DefaultValueFactory = _ => int.MaxValue };
        var command = target.AddTo(new Command("devices", "A rollout's devices with their wave, state and reason, in id order.") { id, state, limit });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var filter = parse.GetValue(state) is { } s ? $"&state={Uri.EscapeDataString(s)}" : string.Empty;
            var remaining = parse.GetValue(limit);
            string? after = null;
            while (remaining > 0)
            {
                var page = await target.SendAsync<RolloutDeviceResponse[]>(parse, HttpMethod.Get,
                    $"api/v1/rollouts/{parse.GetValue(id)}/devices?limit={Math.Min(1000, remaining)}{filter}" + (after is null ? string.Empty : $"&after={Uri.EscapeDataString(after)}"),
                    cancellationToken);
                foreach (var device in page)
                {
                    Console.WriteLine($"{device.DeviceId,-24} wave {device.Wave + 1,-3} {device.State,-12} {device.Notified?.ToString("u", CultureInfo.InvariantCulture) ?? "-",-20} {device.Detail}");
                }

                remaining -= page.Length;
                if (page.Length < 1000)
                {
                    break;
                }

                after = page[^1].DeviceId;
            }

            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var command = target.AddTo(new Command("list", "Rollouts, newest first."));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var r in await target.SendAsync<RolloutResponse[]>(parse, HttpMethod.Get, "api/v1/rollouts", cancellationToken))
            {
                Console.WriteLine($"{r.Id,6} {r.State,-10} {r.Release,-28} {r.Selector,-30} wave {r.CurrentWave + 1}/{r.Waves}  by {r.CreatedBy} {r.Created:u}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Steer(string verb, string description)
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var command = target.AddTo(new Command(verb, description) { id });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            Print(await target.SendAsync<RolloutResponse>(parse, HttpMethod.Post, $"api/v1/rollouts/{parse.GetValue(id)}/{verb}", cancellationToken));
            return 0;
        }));
        return command;
    }

    private static void Print(RolloutResponse r)
    {
        Console.WriteLine($"rollout {r.Id}: {r.State}{(r.Reason is null ? string.Empty : $" ({r.Reason})")} — release {r.Release} to {r.Selector}");
        Console.WriteLine($"policy: canary {(r.Policy.CanaryPercent is { } p ? $"{p} %" : r.Policy.CanaryCount.ToString(CultureInfo.InvariantCulture))}, " +
            $"steps {string.Join("/", r.Policy.Steps)} %, {r.Policy.RatePerMinute}/min, abort above {r.Policy.AbortFailurePercent} % failed after {r.Policy.MinimumExecuted}, " +
            $"device timeout {r.Policy.DeviceTimeout}");
        Console.WriteLine($"devices: {Counts(r.Devices)}");
        for (var wave = 0; wave < r.WaveDevices.Count; wave++)
        {
            Console.WriteLine($"  wave {wave + 1}{(wave == 0 ? " (canary)" : string.Empty)}{(wave == r.CurrentWave ? " *" : string.Empty)}: {Counts(r.WaveDevices[wave])}");
        }
    }

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(pair => $"{pair.Key} {pair.Value}"));
}
