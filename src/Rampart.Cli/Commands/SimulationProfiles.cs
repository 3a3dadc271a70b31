using System.CommandLine;
using Rampart.Simulator;

namespace Rampart.Cli.Commands;

/// <summary>The <c>--flood N --scanner N …</c> options shared by <c>sim</c> and <c>demo</c>.</summary>
internal sealed class SimulationProfiles
{
    private readonly Dictionary<Misbehaviour, Option<int?>> _options = new()
    {
        [Misbehaviour.Flood] = new Option<int?>("--flood") { Description = "Devices that flood messages" },
        [Misbehaviour.Scanner] = new Option<int?>("--scanner") { Description = "Devices that probe other devices' topics and wildcards" },
        [Misbehaviour.Clone] = new Option<int?>("--clone") { Description = "Devices whose identity is also used from 127.0.0.2" },
        [Misbehaviour.Tamper] = new Option<int?>("--tamper") { Description = "Devices reporting an open case and changed firmware" },
        [Misbehaviour.Stale] = new Option<int?>("--stale") { Description = "Devices on old firmware past end of support" },
        [Misbehaviour.DefaultCreds] = new Option<int?>("--default-creds") { Description = "Legacy devices trying admin/admin without a certificate" },
    };

    public Command AddTo(Command command)
    {
        foreach (var option in _options.Values)
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>What was asked for; unset profiles get <paramref name="defaultEach"/> devices.</summary>
    public Dictionary<Misbehaviour, int> Counts(ParseResult parse, int defaultEach) =>
        _options.ToDictionary(pair => pair.Key, pair => Math.Max(0, parse.GetValue(pair.Value) ?? defaultEach));
}
