using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Rampart.Device.Updates;
using Rampart.Server.Admin;
using Rampart.Updates.Tuf;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart keys verify</c>: a TUF repository checked exactly as a device checks it — the SDK's
/// <see cref="TufClient"/> from a root the operator trusts, over a node's HTTPS address or a repository
/// directory (a mirror, removable media), optionally keeping trusted metadata between runs as a device
/// does, and optionally downloading one target. Exit 0 when every check passes, 1 when the client
/// refuses (with the reason), 2 for an error that is not a verdict.
/// </summary>
internal static class TufVerifyCommand
{
    public static Command Create()
    {
        var root = new Option<FileInfo>("--root") { Description = "The root to trust (e.g. the 1.root.json devices are provisioned with)", Required = true, HelpName = "FILE" };
        var directory = new Option<DirectoryInfo?>("--repository") { Description = "A repository directory in the standard layout (metadata/, targets/)", HelpName = "DIR" };
        var https = new Option<string?>("--https") { Description = "A node's HTTPS address (its repository at /tuf/)", HelpName = "URL" };
        var ca = new Option<FileInfo?>("--ca") { Description = "Rampart's root CA for --https (default: DATA/ca-root.crt.pem)", HelpName = "FILE" };
        var data = CommonOptions.Data();
        var metadata = new Option<DirectoryInfo?>("--metadata") { Description = "Keep trusted metadata here between runs, as a device does (rollback and freeze checks against the last run)", HelpName = "DIR" };
        var target = new Option<string?>("--target") { Description = "Also download this target and check its length and hashes", HelpName = "PATH" };
        var command = new Command("verify", "Check a TUF repository as a device would (every check of TUF §5), optionally one target.")
        {
            root, directory, https, ca, data, metadata, target,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if ((parse.GetValue(directory) is null) == (parse.GetValue(https) is null))
            {
                throw new AdminCommandException("give exactly one of --repository DIR and --https URL");
            }

            if (parse.GetValue(https) is { } address && (!Uri.TryCreate(address, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps))
            {
                throw new AdminCommandException($"--https needs an https:// address, not '{address}'");
            }

            using var http = parse.GetValue(https) is { } server
                ? new HttpsTufRepository(new Uri(server), X509CertificateLoader.LoadCertificateFromFile(
                    parse.GetValue(ca)?.FullName ?? Path.Combine(CommonOptions.ResolveData(parse.GetValue(data)), "ca-root.crt.pem")))
                : null;
            ITufRepository repository = http ?? (ITufRepository)new DirectoryTufRepository(parse.GetValue(directory)!.FullName);
            ITrustedMetadataStore store = parse.GetValue(metadata) is { } kept ? new DirectoryTrustedMetadataStore(kept.FullName) : new MemoryTrustedMetadataStore();
            try
            {
                var client = new TufClient(repository, store, await File.ReadAllBytesAsync(parse.GetValue(root)!.FullName, cancellationToken), TimeProvider.System);
                await client.RefreshAsync(cancellationToken);
                Console.WriteLine($"root version {Version(client.TrustedRoot)}; timestamp, snapshot and targets pass every check of TUF §5");
                if (parse.GetValue(target) is { } path)
                {
                    var file = await client.FindTargetAsync(path, cancellationToken)
                        ?? throw new TufException(TufFailure.UnknownTarget, $"'{path}' is not in the signed targets metadata");
                    await client.DownloadTargetAsync(file, cancellationToken);
                    Console.WriteLine($"target {path}: {file.Length} bytes, listed by {file.Role}, length and {string.Join(", ", file.Hashes.Select(h => h.Key))} verified");
                }

                return 0;
            }
            catch (TufException exception)
            {
                await Console.Error.WriteLineAsync($"rampart: refused ({exception.Failure}): {exception.Message}");
                return 1;
            }
        }));
        return command;
    }

    private static long Version(byte[] root) => JsonNode.Parse(root)?["signed"]?["version"]?.GetValue<long>() ?? 0;
}
