using System.CommandLine;
using Rampart.Server.Admin;
using Rampart.Server.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart vulns import PATH</c>: offline vulnerability data into a node.</summary>
internal static class VulnsCommand
{
    public static Command Create() => new("vulns", "Vulnerability data, offline: OSV (JSON/YAML) and CVE JSON 5 records, and CISA's KEV catalog, that an operator copies in.") { Import() };

    private static Command Import()
    {
        var target = new AdminTarget();
        var path = new Argument<string>("PATH") { Description = "A directory (searched recursively), a .zip, a .tar(.gz) or one record file; a KEV catalog (known_exploited_vulnerabilities.json) among them replaces the node's" };
        var command = target.AddTo(new Command("import", "Import records; re-importing updates changed records and never duplicates one. Exposure is recomputed at the end.") { path });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            // 1. Read and check every record first: one unreadable file refuses the import, nothing sent.
            IReadOnlyList<Vulnerability> records;
            byte[]? catalog;
            try
            {
                (records, _, catalog) = VulnerabilitySet.Read(parse.GetValue(path)!);
            }
            catch (VulnerabilityFormatException exception)
            {
                throw new AdminCommandException($"nothing imported: {exception.Message}");
            }

            // 2. The KEV catalog first (the node validates it again), so the recompute below ranks by it.
            if (catalog is not null)
            {
                using var content = new ByteArrayContent(catalog);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                var kev = await target.SendAsync<KnownExploitedImportOutcome>(parse, HttpMethod.Put, "api/v1/vulnerabilities/known-exploited", cancellationToken, content);
                Console.WriteLine($"KEV catalog {kev.CatalogVersion} ({kev.Released}): {kev.Entries} known exploited vulnerabilities{(kev.Changed ? string.Empty : ", unchanged")}");
            }

            // 3. Send the records in batches; the last one asks the node to recompute exposure.
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
