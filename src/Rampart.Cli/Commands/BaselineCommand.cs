using System.CommandLine;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Posture.Baselines;
using Rampart.Server.Admin;
using Rampart.Server.Posture;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart baseline evaluate [--device ID | --model M] [--standard S] [--json]</c>.</summary>
internal static class BaselineCommand
{
    private static readonly JsonSerializerOptions Json = new(AdminClient.Json) { WriteIndented = true };

    public static Command Create() => new("baseline", "Security baselines as code: ETSI EN 303 645, NIST IR 8259A, OWASP IoT Top 10.") { Evaluate() };

    private static Command Evaluate()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "Evaluate this device", HelpName = "ID" };
        var model = new Option<string?>("--model") { Description = "Evaluate this model (vendor/model): its declaration and its devices", HelpName = "M" };
        var standard = new Option<string?>("--standard") { Description = "etsi-en-303-645, nistir-8259a or owasp-iot-top10 (default: all)" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var evaluate = target.AddTo(new Command("evaluate", "Each requirement: pass, fail or not assessable, with its evidence. Exit 0 when nothing fails, 1 otherwise.") { device, model, standard, json });
        evaluate.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if ((parse.GetValue(device) is null) == (parse.GetValue(model) is null))
            {
                throw new AdminCommandException("give either --device ID or --model vendor/model");
            }

            var query = (parse.GetValue(device) is { } id ? $"?device={Uri.EscapeDataString(id)}" : $"?model={Uri.EscapeDataString(parse.GetValue(model)!)}")
                + (parse.GetValue(standard) is { } name ? $"&standard={Uri.EscapeDataString(name)}" : string.Empty);
            var answer = await target.SendAsync<BaselineResponse>(parse, HttpMethod.Get, "api/v1/posture/baseline" + query, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize((object?)answer.Device ?? answer.Model, Json));
                return Failed(answer) ? 1 : 0;
            }

            if (answer.Device is { } baseline)
            {
                Console.WriteLine(Echo.Inert($"{baseline.DeviceId} (model {baseline.Model ?? "not registered"}): {baseline.Passed} pass, {baseline.Failed} fail, {baseline.NotAssessable} not assessable; risk {baseline.Risk.Score} ({baseline.Risk.Band})"));
                Print(baseline.Results);
            }
            else if (answer.Model is { } modelBaseline)
            {
                Console.WriteLine(Echo.Inert($"{modelBaseline.Model}: {(modelBaseline.Admitted ? "admitted" : "refused")}, {modelBaseline.Devices} device(s). Declaration:"));
                Print(modelBaseline.Declaration);
                Console.WriteLine("Devices (pass/fail/not assessable):");
                foreach (var tally in modelBaseline.DeviceResults)
                {
                    Console.WriteLine(Echo.Inert($"  {tally.Standard,-16} {tally.Id,-30} {tally.Pass}/{tally.Fail}/{tally.NotAssessable}"));
                }
            }

            return Failed(answer) ? 1 : 0;
        }));
        return evaluate;
    }

    private static bool Failed(BaselineResponse answer) =>
        (answer.Device?.Failed ?? 0) > 0 || (answer.Model?.Declaration.Any(r => r.Verdict == Verdict.Fail) ?? false) || (answer.Model?.DeviceResults.Any(t => t.Fail > 0) ?? false);

    private static void Print(IReadOnlyList<RequirementResult> results)
    {
        foreach (var result in results)
        {
            Console.WriteLine(Echo.Inert($"  {ModelCommand.Verdict(result.Verdict),-4} {result.Standard,-16} {result.Id,-30} {result.Title} — {result.Evidence} [{result.Source.ToString().ToLowerInvariant()}]"));
        }
    }
}
