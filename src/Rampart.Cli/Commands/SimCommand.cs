using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Simulator;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart sim</c>: a simulated fleet against a running node (devices registered through its admin API).</summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var devices = new Option<int>("--devices") { Description = "Devices to simulate (default 100)", DefaultValueFactory = _ => 100 };
        var duration = new Option<int?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl-C)" };
        var https = new Option<string>("--https") { Description = "The node's HTTPS address for EST (default https://127.0.0.1:8443)", DefaultValueFactory = _ => "https://127.0.0.1:8443" };
        var mqtt = new Option<string>("--mqtt") { Description = "The node's MQTT address (default 127.0.0.1:8883)", DefaultValueFactory = _ => "127.0.0.1:8883" };
        var root = new Option<FileInfo?>("--root") { Description = "Rampart's root CA (default: DATA/ca-root.crt.pem)" };
        var prefix = new Option<string>("--prefix") { Description = "Device id prefix (default sim)", DefaultValueFactory = _ => "sim" };
        var interval = new Option<double>("--interval") { Description = "Seconds between a device's telemetry messages (default 5)", DefaultValueFactory = _ => 5 };
        var waitReady = RunClock.WaitReadyOption();
        var profiles = new SimulationProfiles();
        var command = target.AddTo(profiles.AddTo(new Command("sim", "Simulate a fleet: devices enroll over EST, connect over mutual TLS, send telemetry; some misbehave.")
        {
            devices, duration, waitReady, https, mqtt, root, prefix, interval,
        }));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var (host, port) = HostPort(parse.GetValue(mqtt)!);
            var rootFile = parse.GetValue(root)?.FullName ?? Path.Combine(CommonOptions.ResolveData(parse.GetValue(target.Data)), "ca-root.crt.pem");
            CheckSettings(parse.GetValue(devices), parse.GetValue(interval), parse.GetValue(duration), parse.GetValue(prefix)!, rootFile);
            RunClock.Check(parse.GetValue(waitReady));
            var options = new SimulationOptions
            {
                EstServer = HttpsUri(parse.GetValue(https)!),
                MqttHost = host,
                MqttPort = port,
                TrustedRoot = X509CertificateLoader.LoadCertificateFromFile(rootFile),
                Devices = parse.GetValue(devices),
                Prefix = parse.GetValue(prefix)!,
                TelemetryInterval = TimeSpan.FromSeconds(parse.GetValue(interval)),
                Misbehaving = profiles.Counts(parse, defaultEach: 0, parse.GetValue(devices)),
            };
            var simulation = new FleetSimulation(options, new ApiProvisioner(target, parse));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var enrolling = options.Devices - options.Misbehaving.GetValueOrDefault(Misbehaviour.DefaultCreds);
            var clock = RunClock.StopWhenOverAsync(stop, parse.GetValue(duration), parse.GetValue(waitReady),
                () => simulation.Stats.Enrolled + simulation.Stats.EnrollFailures >= enrolling && simulation.Stats.Connected >= simulation.Stats.Enrolled);

            var report = new SimulationReport(simulation, options.Devices);
            var running = simulation.RunAsync(stop.Token);
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                Console.WriteLine(report.Status());
            }

            await clock;
            await running; // a failure of the simulation itself (not of a device) is reported, not swallowed
            return 0;
        }));
        return command;
    }

    public static (string Host, int Port) HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port) && port is >= 1 and <= 65535
            ? (value[..colon], port)
            : throw new AdminCommandException($"--mqtt: '{Echo.Of(value)}' is not HOST:PORT");
    }

    // Each bad value gets a line naming its option, not a stack trace from deep in the simulation
    // (a negative --devices reached Enumerable.Range, a missing root file the certificate loader).
    private static void CheckSettings(int devices, double interval, int? duration, string prefix, string rootFile)
    {
        if (devices is < 1 or > 100_000)
        {
            throw new AdminCommandException($"--devices: must be 1 to 100000 (it is {devices})");
        }

        if (!double.IsFinite(interval) || interval < 0.01 || interval > 86_400)
        {
            throw new AdminCommandException($"--interval: must be 0.01 to 86400 seconds (it is {interval})");
        }

        if (duration is < 1)
        {
            throw new AdminCommandException($"--duration: must be at least 1 second (it is {duration})");
        }

        // The ids are PREFIX-00001 …: the prefix must itself be a device id with room for the number.
        if (prefix.Length > DeviceIds.MaxLength - 7 || !DeviceIds.IsValid(prefix))
        {
            throw new AdminCommandException($"--prefix: '{Echo.Of(prefix)}' must be {DeviceIds.Rule}, at most {DeviceIds.MaxLength - 7} characters");
        }

        if (!File.Exists(rootFile))
        {
            throw new AdminCommandException($"--root: {rootFile} does not exist (the node's ca-root.crt.pem)");
        }
    }

    private static Uri HttpsUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new AdminCommandException($"--https: '{Echo.Of(value)}' is not an https:// URL");

    private sealed class ApiProvisioner(AdminTarget target, ParseResult parse) : IFleetProvisioner
    {
        public async Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken) =>
            (await target.SendAsync<AddDeviceResponse>(parse, HttpMethod.Post, "api/v1/devices", cancellationToken,
                new AddDeviceRequest(id, Model: model, SupportUntil: supportUntil))).BootstrapToken.Token;
    }
}
