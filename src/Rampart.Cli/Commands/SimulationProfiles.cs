using System.CommandLine;
using Rampart.Simulator;

namespace Rampart.Cli.Commands;

/// <summary>The <c>--flood N --scanner N …</c> options shared by <c>sim</c> and <c>demo</c>.</summary>
internal sealed class SimulationProfiles
{
    private readonly Dictionary<Misbehaviour, Option<string?>> _options = new()
    {
        [Misbehaviour.Flood] = new Option<string?>("--flood") { Description = "Devices that flood messages (a count, or a share such as 5%)" },
        [Misbehaviour.Scanner] = new Option<string?>("--scanner") { Description = "Devices that probe other devices' topics and wildcards" },
        [Misbehaviour.Clone] = new Option<string?>("--clone") { Description = "Devices whose identity is also used from 127.0.0.2" },
        [Misbehaviour.Tamper] = new Option<string?>("--tamper") { Description = "Devices reporting an open case and changed firmware" },
        [Misbehaviour.Stale] = new Option<string?>("--stale") { Description = "Devices on old firmware past end of support" },
        [Misbehaviour.DefaultCreds] = new Option<string?>("--default-creds") { Description = "Legacy devices trying admin/admin without a certificate" },
        [Misbehaviour.BadUpdate] = new Option<string?>("--bad-update") { Description = "Devices whose firmware updates fail their health check and roll back" },
        [Misbehaviour.Exfiltrate] = new Option<string?>("--exfiltrate") { Description = "Devices that behave, then send far more data (bytes out jump)" },
        [Misbehaviour.RebootLoop] = new Option<string?>("--reboot-loop") { Description = "Devices that behave, then restart again and again" },
        [Misbehaviour.Backdoor] = new Option<string?>("--backdoor") { Description = "Devices that behave, then open a telnet port (23)" },
        [Misbehaviour.Beacon] = new Option<string?>("--beacon") { Description = "Devices that behave, then call a new destination at a fixed period" },
        [Misbehaviour.Drift] = new Option<string?>("--drift") { Description = "Devices whose traffic grows slowly (what fixed thresholds miss)" },
    };

    public Command AddTo(Command command)
    {
        foreach (var option in _options.Values)
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>
    /// What was asked for, each as a count (<c>--flood 3</c>) or a share of the fleet (<c>--flood 5%</c>);
    /// unset profiles get <paramref name="defaultEach"/> devices.
    /// </summary>
    public Dictionary<Misbehaviour, int> Counts(ParseResult parse, int defaultEach, int devices) =>
        _options.ToDictionary(pair => pair.Key, pair => parse.GetValue(pair.Value) is { } value ? Parse(pair.Value.Name, value, devices)
            : pair.Key == Misbehaviour.BadUpdate ? 0 : defaultEach); // a bad update shows only in a rollout: never by default

    private static int Parse(string option, string value, int devices)
    {
        var percent = value.EndsWith('%');
        if (!double.TryParse(percent ? value[..^1] : value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            || number < 0 || (percent && number > 100) || (!percent && number != Math.Floor(number)))
        {
            throw new Rampart.Server.Admin.AdminCommandException($"{option}: '{value}' is neither a device count nor a percentage such as 5%");
        }

        return percent ? (int)Math.Round(devices * number / 100) : (int)number;
    }
}
