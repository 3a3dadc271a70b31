using System.CommandLine;
using System.Text.Json;
using Rampart.Fleet.Errors;
using Rampart.Posture.Baselines;
using Rampart.Posture.Models;
using Rampart.Server.Admin;
using Rampart.Server.Posture;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart model add|list|show|evaluate</c>: device models and the procurement gate (docs/posture.md).</summary>
internal static class ModelCommand
{
    private static readonly JsonSerializerOptions Json = new(AdminClient.Json) { WriteIndented = true };

    public static Command Create() => new("model", "Device models: their declared capabilities, checked against the baselines by the procurement gate.")
    {
        Add(), List(), Show(), Evaluate(),
    };

    private static Command Add()
    {
        var target = new AdminTarget();
        var file = new Argument<FileInfo>("FILE") { Description = "A model file, YAML or JSON (schema: src/Rampart.Posture/Models/device-model.schema.json)" };
        var add = target.AddTo(new Command("add", "Register a model (or replace it) with the procurement gate's verdict; devices of a refused model cannot enroll.") { file });
        add.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var record = await target.SendAsync<ModelRecord>(parse, HttpMethod.Post, "api/v1/posture/models", cancellationToken, new ModelFileRequest(Read(parse.GetValue(file)!)));
            Print(record.Model, record.Admission);
            return record.Admission.Admitted ? 0 : 1;
        }));
        return add;
    }

    private static Command Evaluate()
    {
        var target = new AdminTarget();
        var file = new Argument<FileInfo>("FILE") { Description = "A model file, YAML or JSON" };
        var json = new Option<bool>("--json") { Description = "Print the verdict as JSON" };
        var evaluate = target.AddTo(new Command("evaluate", "Run the procurement gate on a model file without registering it: exit 0 admitted, 1 refused, 2 error.") { file, json });
        evaluate.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var verdict = await target.SendAsync<ModelEvaluation>(parse, HttpMethod.Post, "api/v1/posture/models/evaluate", cancellationToken, new ModelFileRequest(Read(parse.GetValue(file)!)));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(verdict, Json));
            }
            else
            {
                Print(verdict.Model, verdict.Admission);
            }

            return verdict.Admission.Admitted ? 0 : 1;
        }));
        return evaluate;
    }

    private static Command List()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print the models as JSON" };
        var list = target.AddTo(new Command("list", "Registered models and their verdicts.") { json });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var models = await target.SendAsync<ModelRecord[]>(parse, HttpMethod.Get, "api/v1/posture/models", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(models, Json));
                return 0;
            }

            foreach (var record in models)
            {
                Console.WriteLine(Echo.Inert($"{record.Model.Key,-40} {(record.Admission.Admitted ? "admitted" : "refused"),-9} {record.Admission.FailedSummary}"));
            }

            return 0;
        }));
        return list;
    }

    private static Command Show()
    {
        var target = new AdminTarget();
        var key = new Argument<string>("MODEL") { Description = "vendor/model" };
        var json = new Option<bool>("--json") { Description = "Print the model as JSON" };
        var show = target.AddTo(new Command("show", "One model: its declaration and the gate's verdict.") { key, json });
        show.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var parts = parse.GetValue(key)!.Split('/', 2);
            if (parts.Length != 2)
            {
                throw new AdminCommandException("name the model as vendor/model");
            }

            var record = await target.SendAsync<ModelRecord>(parse, HttpMethod.Get,
                $"api/v1/posture/models/{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(record, Json));
                return 0;
            }

            Print(record.Model, record.Admission);
            Console.WriteLine(Echo.Inert($"  added by {record.AddedBy} at {record.Added:u}"));
            Console.WriteLine(Echo.Inert($"  declares: {JsonSerializer.Serialize(record.Model.Capabilities, AdminClient.Json)}"));
            return 0;
        }));
        return show;
    }

    private static string Read(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new AdminCommandException($"no such file {file.FullName}");
        }

        return file.Length > DeviceModelDocument.MaxBytes
            ? throw new AdminCommandException($"{file.FullName} is larger than {DeviceModelDocument.MaxBytes / 1024} KiB")
            : File.ReadAllText(file.FullName);
    }

    private static void Print(DeviceModel model, Admission admission)
    {
        Console.WriteLine(Echo.Inert($"{model.Key}: {(admission.Admitted ? "admitted" : "refused")}"));
        foreach (var failed in admission.Failed)
        {
            Console.WriteLine(Echo.Inert($"  FAIL {failed.Standard} {failed.Id} {failed.Title}: {failed.Evidence}"));
        }

        Console.WriteLine($"  {admission.NotAssessable.Count} requirement(s) not assessable from the declaration (judged per device once enrolled)");
    }

    internal static string Verdict(Verdict verdict) => verdict switch
    {
        Posture.Baselines.Verdict.Pass => "pass",
        Posture.Baselines.Verdict.Fail => "FAIL",
        _ => "n/a",
    };
}
