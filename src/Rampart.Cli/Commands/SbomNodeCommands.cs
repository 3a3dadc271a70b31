using System.CommandLine;
using System.Net.Http.Headers;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart sbom base|components|devices</c>: what a node knows runs where.</summary>
internal static class SbomNodeCommands
{
    public static Command Base()
    {
        var target = new AdminTarget();
        var model = new Argument<string>("MODEL") { Description = "The device model" };
        var file = new Argument<FileInfo>("FILE") { Description = "Its base SBOM: what runs on every device of the model whatever release it runs" };
        var command = target.AddTo(new Command("base", "Set a model's base SBOM (validated; an invalid one is refused with the reason).") { model, file });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var stored = await target.SendAsync<SbomResponse>(parse, HttpMethod.Put, $"api/v1/sbom/models/{Uri.EscapeDataString(parse.GetValue(model)!)}", cancellationToken,
                Body(parse.GetValue(file)!));
            Console.WriteLine($"{stored.Scope}: {stored.Description}, {stored.Components.Count} components");
            return 0;
        }));
        return command;
    }

    public static Command Components()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "The components a device runs (its release's and its model's base SBOM)" };
        var release = new Option<string?>("--release") { Description = "A release's components" };
        var command = target.AddTo(new Command("components", "List the components of a device or a release.") { device, release });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (parse.GetValue(device) is { } id)
            {
                var runs = await target.SendAsync<DeviceComponentsResponse>(parse, HttpMethod.Get, $"api/v1/sbom/devices/{Uri.EscapeDataString(id)}", cancellationToken);
                Console.WriteLine($"{runs.DeviceId} runs {runs.Release ?? "no release with an SBOM"}");
                foreach (var c in runs.Components)
                {
                    Console.WriteLine($"  {c.Component.Name} {c.Component.Version} {c.Component.Purl} ({c.Scope})");
                }

                return 0;
            }

            if (parse.GetValue(release) is not { } releaseId)
            {
                throw new AdminCommandException("give --device ID or --release R");
            }

            var sbom = await target.SendAsync<SbomResponse>(parse, HttpMethod.Get, $"api/v1/sbom/releases/{Uri.EscapeDataString(releaseId)}", cancellationToken);
            Console.WriteLine($"{sbom.Scope}: {sbom.Description}{(sbom.Problem is null ? string.Empty : $" — refused: {sbom.Problem}")}");
            foreach (var c in sbom.Components)
            {
                Console.WriteLine($"  {c.Name} {c.Version} {c.Purl}");
            }

            return 0;
        }));
        return command;
    }

    public static Command Devices()
    {
        var target = new AdminTarget();
        var name = new Option<string?>("--name") { Description = "The component's name" };
        var purl = new Option<string?>("--purl") { Description = "The component's package URL (its version is ignored)" };
        var from = new Option<string?>("--from") { Description = "Lowest version (inclusive)" };
        var below = new Option<string?>("--below") { Description = "Versions below this one" };
        var command = target.AddTo(new Command("devices", "List the devices that run a component, optionally in a version range.") { name, purl, from, below });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = string.Join('&', new[] { ("name", parse.GetValue(name)), ("purl", parse.GetValue(purl)), ("from", parse.GetValue(from)), ("below", parse.GetValue(below)) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            foreach (var d in await target.SendAsync<DeviceComponentResponse[]>(parse, HttpMethod.Get, $"api/v1/sbom/components?{query}", cancellationToken))
            {
                Console.WriteLine($"{d.DeviceId,-24} {d.Name} {d.Version} ({d.Scope})");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>A file as a raw request body, within the node's limit.</summary>
    public static StreamContent Body(FileInfo file)
    {
        if (!file.Exists || file.Length > SupplyChainEndpoints.MaxBodyBytes)
        {
            throw new AdminCommandException($"{file.FullName} does not exist or is larger than {SupplyChainEndpoints.MaxBodyBytes / (1024 * 1024)} MiB");
        }

        var content = new StreamContent(file.OpenRead());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
