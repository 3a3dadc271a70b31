using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
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
        var profiles = new SimulationProfiles();
        var command = target.AddTo(profiles.AddTo(new Command("sim", "Simulate a fleet: devices enroll over EST, connect over mutual TLS, send telemetry; some misbehave.")
        {
            devices, duration, https, mqtt, root, prefix, interval,
        }));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var (host, port) = HostPort(parse.GetValue(mqtt)!);
            var rootFile = parse.GetValue(root)?.FullName ?? Path.Combine(CommonOptions.ResolveData(parse.GetValue(target.Data)), "ca-root.crt.pem");
            var options = new SimulationOptions
            {
                EstServer = new Uri(parse.GetValue(https)!),
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
            if (parse.GetValue(duration) is { } seconds)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            var report = new SimulationReport(simulation, options.Devices);
            var running = simulation.RunAsync(stop.Token);
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                Console.WriteLine(report.Status());
            }

            await running; // a failure of the simulation itself (not of a device) is reported, not swallowed
            return 0;
        }));
        return command;
    }

    public static (string Host, int Port) HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], out var port)
            ? (value[..colon], port)
            : throw new AdminCommandException($"--mqtt: '{value}' is not HOST:PORT");
    }

    private sealed class ApiProvisioner(AdminTarget target, ParseResult parse) : IFleetProvisioner
    {
        public async Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken) =>
            (await target.SendAsync<AddDeviceResponse>(parse, HttpMethod.Post, "api/v1/devices", cancellationToken,
                new AddDeviceRequest(id, Model: model, SupportUntil: supportUntil))).BootstrapToken.Token;
    }
}
