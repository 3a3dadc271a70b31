using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart ca import</c>: use an existing root and issuing CA instead of creating one.
/// <c>rampart ca init</c>: create the CA (and the audit key) of a new data directory, optionally inside a PKCS#11 token.
/// </summary>
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
        return new Command("ca", "Rampart's certificate authority.") { import, Init(), Rollover() };
    }

    private static Command Init()
    {
        var data = CommonOptions.Data();
        var module = new Option<FileInfo?>("--pkcs11-module") { Description = "PKCS#11 module (the HSM vendor's shared library) to generate and hold the keys", HelpName = "PATH" };
        var token = new Option<string?>("--token-label") { Description = "Label of the token in that module", HelpName = "L" };
        var pinFile = new Option<FileInfo?>("--pin-file")
        {
            Description = $"File holding the token's user PIN (else ${Pkcs11Settings.PinEnvironmentVariable}); the PIN itself is never a flag",
            HelpName = "F",
        };
        var updateKeys = new Option<string>("--update-keys")
        {
            Description = "Where the TUF role keys and the firmware ECDSA key are generated with --pkcs11-module: token (default) or files (passphrase-protected, Rampart:Keys:PassphraseFile)",
            HelpName = "token|files",
            DefaultValueFactory = _ => "token",
        };
        updateKeys.AcceptOnlyFromAmong("token", "files");
        var rootKey = new Option<string?>("--root-key")
        {
            Description = "Use this key pair, generated in the token beforehand, as the root CA key instead of generating one: label:NAME or id:HEX",
            HelpName = "label:NAME|id:HEX",
        };
        var issuingKey = new Option<string?>("--issuing-key")
        {
            Description = "Use this key pair, generated in the token beforehand, as the issuing CA key instead of generating one: label:NAME or id:HEX",
            HelpName = "label:NAME|id:HEX",
        };
        var init = new Command("init", "Create the CA and audit key of a new data directory before its first start, in files or inside a PKCS#11 token.") { data, module, token, pinFile, updateKeys, rootKey, issuingKey };
        init.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var directoryPath = CommonOptions.ResolveData(parse.GetValue(data));
            var settings = KeyStorageSettings.Files;
            if (parse.GetValue(module) is { } modulePath)
            {
                var label = parse.GetValue(token) is { Length: > 0 } given ? given : throw new NodeStartupException("--pkcs11-module needs --token-label");
                settings = new KeyStorageSettings(new Pkcs11Settings(modulePath.FullName, label, parse.GetValue(pinFile)?.FullName), parse.GetValue(updateKeys) == "token");
            }
            else if (parse.GetValue(token) is not null || parse.GetValue(pinFile) is not null || parse.GetResult(updateKeys) is { Implicit: false })
            {
                throw new NodeStartupException("--token-label, --pin-file and --update-keys need --pkcs11-module");
            }

            var adopt = new Dictionary<string, Pkcs11KeySelector>();
            foreach (var (name, option) in new[] { (Pki.Keys.KeyNames.RootCa, rootKey), (Pki.Keys.KeyNames.IssuingCa, issuingKey) })
            {
                if (parse.GetValue(option) is { } selector)
                {
                    try
                    {
                        adopt[name] = Pkcs11KeySelector.Parse(selector);
                    }
                    catch (Pki.Keys.KeyProviderException exception)
                    {
                        throw new NodeStartupException($"--{(name == Pki.Keys.KeyNames.RootCa ? "root" : "issuing")}-key: {exception.Message}", exception);
                    }
                }
            }

            var fingerprint = CaInitializer.Initialize(directoryPath, settings, TimeProvider.System, adopt);
            await using var node = await OfflineNode.OpenAsync(directoryPath, cancellationToken, initialize: true, storage: CommonOptions.ResolveStorage());
            await node.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord(Server.Admin.LocalAdminConnection.Actor, "ca.initialized", "ca",
                AuditOutcome.Success, new Dictionary<string, string>
                {
                    ["root-sha256"] = fingerprint,
                    ["keys"] = settings.Pkcs11 is { } pkcs11 ? $"pkcs11 token '{pkcs11.TokenLabel}'" : "files",
                    ["update-keys"] = settings.UpdateKeysInToken ? "pkcs11" : "files",
                    ["adopted-keys"] = adopt.Count == 0 ? "none" : string.Join(",", adopt.Keys),
                }), cancellationToken);
            Console.WriteLine($"CA created in {directoryPath} (root sha256 {fingerprint}); keys held in {settings.Pkcs11?.ToString() ?? "files in keys/"}");
            Console.WriteLine($"start the node with: rampart serve --data {directoryPath}");
            return 0;
        }));
        return init;
    }

    private static Command Rollover()
    {
        var data = CommonOptions.Data();
        var overlap = new Option<int>("--overlap-days")
        {
            Description = "How long the replaced issuing CA stays trusted for the certificates it issued (default: 90, the device certificate validity)",
            HelpName = "DAYS",
            DefaultValueFactory = _ => (int)CaRollover.DefaultOverlap.TotalDays,
        };
        var rollover = new Command("rollover",
            "Replace the issuing CA with a new one from the same root; the old one stays trusted during the overlap. On a running node it switches at once, over its admin socket, without dropping a connection.") { data, overlap };
        rollover.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var days = parse.GetValue(overlap);
            if (days is < 1 or > 3650)
            {
                throw new NodeStartupException("--overlap-days must be between 1 and 3650");
            }

            var directoryPath = CommonOptions.ResolveData(parse.GetValue(data));
            var result = await LiveAsync(directoryPath, days, cancellationToken)
                ?? await CaRollover.RolloverAsync(directoryPath, CommonOptions.ResolveStorage(),
                    Server.Admin.LocalAdminConnection.Actor, TimeProvider.System, TimeSpan.FromDays(days), cancellationToken);
            Console.WriteLine($"issuing CA rolled over: {result.NewSubject} (sha256 {result.NewSha256}) now signs;");
            Console.WriteLine($"{result.PreviousSubject} (sha256 {result.PreviousSha256}) stays trusted for its certificates until {result.PreviousTrustedUntil:u}");
            return 0;
        }));
        return rollover;
    }

    // The running node rolls over itself (LiveCaRollover); null when no node runs on the directory, so the command opens it itself.
    private static async Task<CaRollover.Result?> LiveAsync(string directoryPath, int days, CancellationToken cancellationToken)
    {
        using var directory = NodeDataDirectory.OpenExisting(directoryPath);
        using var client = new Server.Admin.AdminClient(directory.AdminSocketPath);
        try
        {
            return await client.SendAsync<CaRollover.Result>(HttpMethod.Post, "api/v1/ca/rollover", cancellationToken, new CaRolloverRequest(days));
        }
        catch (HttpRequestException exception) when (Server.Admin.AdminClient.IsNotRunning(exception))
        {
            return null;
        }
    }
}
