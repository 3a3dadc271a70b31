using System.CommandLine;
using System.Text.Json;
using Rampart.Privacy.Classification;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Privacy;
using Rampart.Updates.Files;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart privacy …</c>: the record of processing, data subjects, their requests, keys and retention (docs/privacy.md).</summary>
internal static class PrivacyCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create() => new("privacy", "Privacy: record of processing, data subjects, consent, export and erasure, keys, retention.")
    {
        Inventory(), Subject(), Consent(), Export(), Erase(), Kek(), Retention(),
    };

    private static Command Inventory()
    {
        var target = new AdminTarget();
        var json = new Option<bool>("--json") { Description = "Print the record of processing as JSON" };
        var inventory = target.AddTo(new Command("inventory", "What is held, why, where and for how long: every stored field and device topic family with its data class.") { json });
        inventory.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var record = await target.SendAsync<ProcessingInventory>(parse, HttpMethod.Get, "api/v1/privacy/inventory", cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(record, Json));
                return 0;
            }

            Console.WriteLine($"{"STORED FIELD",-40} {"CLASS",-12} {"RETENTION",-36} PURPOSE");
            foreach (var field in record.Fields)
            {
                var name = $"{field.Store}.{field.Field}" + (field.EncryptedAtRest ? " (encrypted)" : string.Empty);
                Console.WriteLine($"{name,-40} {field.Class,-12} {field.Retention,-36} {field.Purpose}");
            }

            foreach (var column in record.Unclassified)
            {
                Console.WriteLine($"{column,-40} {"UNCLASSIFIED",-12} {"-",-36} no one classified this field (src/Rampart.Privacy/Classification/StoredData.cs)");
            }

            Console.WriteLine();
            Console.WriteLine($"{"TOPIC FAMILY",-16} {"TOPICS",-36} {"CLASS",-12} PURPOSE / MINIMISED FOR");
            foreach (var family in record.TopicFamilies)
            {
                var minimised = family.MinimisedFor.Count == 0 ? string.Empty : $" [minimised for {string.Join(", ", family.MinimisedFor)}]";
                Console.WriteLine($"{family.Name,-16} {family.Topics,-36} {family.Class,-12} {family.Purpose}{minimised}");
            }

            Console.WriteLine();
            foreach (var service in record.Services)
            {
                Console.WriteLine($"service {service.Name}: region {service.Region ?? "undeclared"}, purposes {string.Join(", ", service.Purposes.Select(p => $"{p.Key} ({p.Value})"))}");
            }

            Console.WriteLine($"regions: {string.Join(", ", record.Regions)}; subjects: {record.Subjects}; key-encryption key version {record.KekVersion}");
            return 0;
        }));
        return inventory;
    }

    private static Command Subject()
    {
        var addTarget = new AdminTarget();
        var id = new Argument<string>("SUBJECT") { Description = "The subject's id (stored only sealed; logged only as its pseudonym)" };
        var region = new Option<string>("--region") { Description = "The region the subject lives in", Required = true };
        var fields = new Option<string[]>("--field") { Description = "A personal field as name=value (name, address, ip, …); repeatable", AllowMultipleArgumentsPerToken = false };
        var add = addTarget.AddTo(new Command("add", "Add a data subject (a person or household).") { id, region, fields });
        add.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in parse.GetValue(fields) ?? [])
            {
                var separator = field.IndexOf('=');
                if (separator <= 0)
                {
                    throw new AdminCommandException($"--field takes name=value, not '{field}'");
                }

                values[field[..separator]] = field[(separator + 1)..];
            }

            var added = await addTarget.SendAsync<SubjectResponse>(parse, HttpMethod.Post, "api/v1/privacy/subjects", cancellationToken,
                new SubjectAddRequest(parse.GetValue(id)!, parse.GetValue(region)!, values));
            Console.WriteLine($"subject added as {added.Pseudonym}");
            return 0;
        }));

        var linkTarget = new AdminTarget();
        var linkId = new Argument<string>("SUBJECT");
        var device = new Option<string>("--device") { Description = "The device to link", Required = true };
        var link = linkTarget.AddTo(new Command("link", "Link a device to a subject.") { linkId, device });
        link.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var linked = await linkTarget.SendAsync<SubjectResponse>(parse, HttpMethod.Post, "api/v1/privacy/subjects/devices", cancellationToken,
                new SubjectDeviceRequest(parse.GetValue(linkId)!, parse.GetValue(device)!));
            Console.WriteLine($"device {parse.GetValue(device)} linked to {linked.Pseudonym}");
            return 0;
        }));
        return new Command("subject", "Data subjects and their devices.") { add, link };
    }

    private static Command Consent() => new("consent", "A subject's consent to a purpose.") { ConsentCommand("grant", true), ConsentCommand("withdraw", false) };

    private static Command ConsentCommand(string name, bool granted)
    {
        var target = new AdminTarget();
        var subject = new Option<string>("--subject") { Required = true };
        var purpose = new Option<string>("--purpose") { Required = true, Description = "e.g. analytics, support" };
        var command = target.AddTo(new Command(name, granted ? "Record that the subject consents to the purpose." : "Withdraw the subject's consent; live subscriptions stop receiving at once.") { subject, purpose });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var changed = await target.SendAsync<SubjectResponse>(parse, HttpMethod.Post, "api/v1/privacy/subjects/consents", cancellationToken,
                new ConsentRequest(parse.GetValue(subject)!, parse.GetValue(purpose)!, granted));
            Console.WriteLine($"consent to {parse.GetValue(purpose)} {(granted ? "granted" : "withdrawn")} for {changed.Pseudonym}");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var target = new AdminTarget();
        var subject = new Option<string>("--subject") { Required = true };
        var output = new Option<FileInfo>("--out") { Required = true, Description = "Write the export (JSON) here, owner-only", HelpName = "FILE" };
        var export = target.AddTo(new Command("export", "Everything held about a subject (devices, consents, events) as JSON (GDPR art. 15, 20).") { subject, output });
        export.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            // Streamed to a 0600 file beside the target, then renamed over it: bounded memory however large the
            // archive (issue 19 item 9), and the target holds a whole export or what it held before, never a part.
            var file = parse.GetValue(output)!;
            var full = file.FullName;
            var partial = $"{full}.{Guid.NewGuid():N}.part";
            string? held;
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = AtomicFile.OwnerOnly;
                }

                await using (var stream = new FileStream(partial, options))
                {
                    held = await target.SendToAsync(parse, HttpMethod.Post, "api/v1/privacy/subjects/export", new SubjectRequest(parse.GetValue(subject)!), stream,
                        PrivacyEndpoints.ExportHeldHeader, cancellationToken);
                    await stream.FlushAsync(cancellationToken);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(partial, full, overwrite: true);
                AtomicFile.SyncDirectory(Path.GetDirectoryName(full)!);
            }
            finally
            {
                File.Delete(partial);
            }

            Console.WriteLine(held == "subject" ? $"export written to {full}" : $"nothing is held about this subject; an empty export was written to {full}");
            return 0;
        }));
        return export;
    }

    private static Command Erase()
    {
        var target = new AdminTarget();
        var subject = new Option<string>("--subject") { Required = true };
        var erase = target.AddTo(new Command("erase", "Request erasure of a subject (crypto-shredding); a second person approves it with 'rampart approvals approve ID'.") { subject });
        erase.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var approval = await target.SendAsync<ApprovalResponse>(parse, HttpMethod.Post, "api/v1/privacy/subjects/erase", cancellationToken, new SubjectRequest(parse.GetValue(subject)!));
            Console.WriteLine($"erasure requested as approval {approval.Id} ({approval.Summary}); a second person approves it: rampart approvals approve {approval.Id}");
            return 0;
        }));
        return erase;
    }

    private static Command Kek()
    {
        var target = new AdminTarget();
        var rotate = target.AddTo(new Command("rotate", "Rotate the key-encryption key: re-wrap every subject's data key, then destroy the old KEK (no downtime)."));
        rotate.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var rotated = await target.SendAsync<KekRotationResponse>(parse, HttpMethod.Post, "api/v1/privacy/kek/rotate", cancellationToken);
            Console.WriteLine($"key-encryption key {rotated.Version} is current; {rotated.Rewrapped} subject keys re-wrapped");
            return 0;
        }));
        return new Command("kek", "The key-encryption key that wraps every subject's data key.") { rotate };
    }

    private static Command Retention()
    {
        var listTarget = new AdminTarget();
        var list = listTarget.AddTo(new Command("list", "The retention period in force per data category."));
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var (category, days) in await listTarget.SendAsync<Dictionary<string, int>>(parse, HttpMethod.Get, "api/v1/privacy/retention", cancellationToken))
            {
                Console.WriteLine($"{category,-24} {days} days");
            }

            return 0;
        }));

        var setTarget = new AdminTarget();
        var category = new Argument<string>("CATEGORY");
        var days = new Argument<int>("DAYS");
        var set = setTarget.AddTo(new Command("set", "Set a retention period; a shorter one waits for a second person's approval.") { category, days });
        set.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var changed = await setTarget.SendAsync<RetentionChangeResponse>(parse, HttpMethod.Put, "api/v1/privacy/retention", cancellationToken,
                new RetentionRequest(parse.GetValue(category)!, parse.GetValue(days)));
            Console.WriteLine(changed.Applied
                ? $"retention of {parse.GetValue(category)} is {parse.GetValue(days)} days"
                : $"shortening needs a second person: approval {changed.Approval!.Id} ({changed.Approval.Summary}); rampart approvals approve {changed.Approval.Id}");
            return 0;
        }));

        var runTarget = new AdminTarget();
        var run = runTarget.AddTo(new Command("run", "Apply retention now (the node does it every Rampart:Privacy:RetentionInterval)."));
        run.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var (name, count) in await runTarget.SendAsync<Dictionary<string, int>>(parse, HttpMethod.Post, "api/v1/privacy/retention/run", cancellationToken))
            {
                Console.WriteLine($"{name,-24} {count} deleted");
            }

            return 0;
        }));
        return new Command("retention", "Retention per data category.") { list, set, run };
    }
}
