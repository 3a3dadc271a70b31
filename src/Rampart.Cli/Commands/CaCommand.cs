using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart ca import</c>: use an existing root and issuing CA instead of creating one.</summary>
internal static class CaCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var root = new Option<FileInfo>("--root-cert") { Description = "Root CA certificate (PEM); its key is not needed", Required = true };
        var issuing = new Option<FileInfo>("--issuing-cert") { Description = "Issuing CA certificate (PEM), issued by the root", Required = true };
        var issuingKey = new Option<FileInfo>("--issuing-key") { Description = "Issuing CA private key (PEM, ECDSA)", Required = true };
        var import = new Command("import", "Install an existing root and issuing CA in a data directory before its first start.") { data, root, issuing, issuingKey };
        import.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var directoryPath = CommonOptions.ResolveData(parse.GetValue(data));
            string fingerprint;
            using (var directory = NodeDataDirectory.OpenExclusive(directoryPath))
            using (var authority = CaFiles.Import(directory,
                await File.ReadAllTextAsync(parse.GetValue(root)!.FullName, cancellationToken),
                await File.ReadAllTextAsync(parse.GetValue(issuing)!.FullName, cancellationToken),
                await File.ReadAllTextAsync(parse.GetValue(issuingKey)!.FullName, cancellationToken)))
            {
                fingerprint = NodeKeyring.Fingerprint(authority.Root);
            }

            await using var node = await OfflineNode.OpenAsync(directoryPath, cancellationToken, initialize: true, storage: CommonOptions.ResolveStorage());
            await node.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord(Server.Admin.LocalAdminConnection.Actor, "ca.imported", "ca",
                AuditOutcome.Success, new Dictionary<string, string> { ["root-sha256"] = fingerprint }), cancellationToken);
            Console.WriteLine($"CA imported into {directoryPath} (root sha256 {fingerprint})");
            return 0;
        }));
        return new Command("ca", "Rampart's certificate authority.") { import };
    }
}
