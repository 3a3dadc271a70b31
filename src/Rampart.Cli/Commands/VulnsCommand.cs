using System.CommandLine;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart vulns import PATH</c>: offline vulnerability data into a node.</summary>
internal static class VulnsCommand
{
    public static Command Create() => new("vulns", "Vulnerability data, offline: OSV (JSON/YAML) and CVE JSON 5 records an operator copies in.") { Import() };

    private static Command Import()
    {
        var target = new AdminTarget();
        var path = new Argument<string>("PATH") { Description = "A directory (searched recursively), a .zip, a .tar(.gz) or one record file" };
        var command = target.AddTo(new Command("import", "Import records; re-importing updates changed records and never duplicates one. Exposure is recomputed at the end.") { path });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            // 1. Read and check every record first: one unreadable file refuses the import, nothing sent.
            IReadOnlyList<Vulnerability> records;
            try
            {
                records = VulnerabilitySet.Load(parse.GetValue(path)!);
            }
            catch (VulnerabilityFormatException exception)
            {
                throw new AdminCommandException($"nothing imported: {exception.Message}");
            }

            // 2. Send them in batches; the last one asks the node to recompute exposure.
            var batches = records.Chunk(2000).ToArray();
            ImportOutcome? outcome = null;
            var (added, updated, unchanged) = (0, 0, 0);
            for (var i = 0; i < Math.Max(1, batches.Length); i++)
            {
                var batch = batches.Length == 0 ? [] : batches[i];
                outcome = await target.SendAsync<ImportOutcome>(parse, HttpMethod.Post, "api/v1/vulnerabilities/import", cancellationToken,
                    new ImportRequest(batch, Complete: i == Math.Max(1, batches.Length) - 1));
                (added, updated, unchanged) = (added + outcome.Stored.Added, updated + outcome.Stored.Updated, unchanged + outcome.Stored.Unchanged);
            }

            Console.WriteLine($"{records.Count} records read: {added} added, {updated} updated, {unchanged} unchanged; {outcome!.Total} stored");
            if (outcome.Exposure is { } exposure)
            {
                Console.WriteLine($"exposure: {exposure.Open} open; {exposure.Opened} newly open, {exposure.Closed} closed (security events raised)");
            }

            return 0;
        }));
        return command;
    }
}
