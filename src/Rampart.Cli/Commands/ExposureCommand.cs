using System.CommandLine;
using System.Text.Json;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart exposure --device ID | --model M | --release R [--json]</c>: which known vulnerabilities run where.</summary>
internal static class ExposureCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "One device" };
        var model = new Option<string?>("--model") { Description = "Every device of a model" };
        var release = new Option<string?>("--release") { Description = "One release" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = target.AddTo(new Command("exposure", "Each vulnerability with its component, severity, VEX status, devices affected and the newest release that fixes it.") { device, model, release, json });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var path = (parse.GetValue(device), parse.GetValue(model), parse.GetValue(release)) switch
            {
                ({ } id, null, null) => $"api/v1/exposure/devices/{Uri.EscapeDataString(id)}",
                (null, { } m, null) => $"api/v1/exposure/models/{Uri.EscapeDataString(m)}",
                (null, null, { } r) => $"api/v1/exposure/releases/{Uri.EscapeDataString(r)}",
                (null, null, null) => "api/v1/exposure",
                _ => throw new AdminCommandException("give one of --device, --model, --release"),
            };
            var exposure = await target.SendAsync<ExposureResponse>(parse, HttpMethod.Get, path, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(exposure, SbomOutput.Json));
                return 0;
            }

            Console.WriteLine($"{exposure.Of}: {exposure.Open} open, {exposure.Closed} closed by VEX");
            foreach (var line in exposure.Lines)
            {
                Console.WriteLine(SbomOutput.Line(line.Finding, line.Finding.Open ? "open" : "vex") +
                    $"; {line.Devices} device{(line.Devices == 1 ? string.Empty : "s")} ({line.Scope}){(line.FixedBy is null ? string.Empty : $"; fixed by release {line.FixedBy}")}");
            }

            return 0;
        }));
        return command;
    }
}
