using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.Keys;
using Rampart.Updates.Tuf;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart keys generate|sign|root prepare|root import|verify</c>: the TUF root ceremony, and a repository checked as a device checks it. <c>generate</c>
/// and <c>sign</c> need no node — run them on an offline machine; <c>root prepare</c> and
/// <c>root import</c> talk to the node.
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Signing keys and the offline TUF root ceremony.")
    {
        Generate(), Sign(),
        new Command("root", "Rotate the TUF root (and move root or targets keys off the node): prepare, sign offline, import.") { Prepare(), Import("root", "api/v1/tuf/root") },
        new Command("targets", "Sign targets metadata offline when the targets key is off the node: prepare, sign, import.")
        {
            PrepareTargets(), Import("targets", "api/v1/tuf/targets"),
        },
        new Command("firmware", "The keys that sign firmware manifests (ECDSA, LMS, ML-DSA-65).") { RotateFirmware() },
        TufVerifyCommand.Create(),
    };

    private static Command RotateFirmware()
    {
        var target = new AdminTarget();
        var command = target.AddTo(new Command("rotate",
            "Replace the firmware signing keys on the running node; devices move to the new keys through a rotation the current keys sign, published as a TUF target (no re-provisioning)."));
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var result = await target.SendAsync<Server.Updates.FirmwareSigningKeys.RotationResult>(parse, HttpMethod.Post, "api/v1/firmware/keys/rotate", cancellationToken);
            Console.WriteLine($"firmware keys rotated (rotation {result.Sequence}): key set {result.PreviousKeySet} hands over to {result.NewKeySet}");
            Console.WriteLine($"{result.Resigned} release manifest(s) signed again with the new keys" + (result.OlderReleasesLeft ? $"; releases older than the newest {Server.Updates.FirmwareSigningKeys.MaxResigned} keep the old signatures" : string.Empty));
            Console.WriteLine(result.Published
                ? $"published as TUF target {result.Target}; devices follow it at their next update check"
                : $"TUF target {result.Target} waits for the offline targets key (rampart keys targets prepare, sign, import); devices follow it once published");
            return 0;
        }));
        return command;
    }

    private static Option<FileInfo?> PassphraseFile() =>
        new("--passphrase-file") { Description = "Encrypt (or decrypt) the private key with the passphrase in this file's first line", HelpName = "FILE" };

    private static Command Generate()
    {
        var output = new Option<FileInfo>("--out") { Description = "Private key file to write (its public key goes to FILE.pub.pem)", Required = true, HelpName = "FILE" };
        var passphrase = PassphraseFile();
        var command = new Command("generate", "Create an ECDSA P-256 signing key (offline; encrypted with --passphrase-file).") { output, passphrase };
        command.SetAction((parse, _) => CliErrors.RunAsync(() =>
        {
            var path = parse.GetValue(output)!.FullName;
            if (File.Exists(path))
            {
                throw new AdminCommandException($"{path} exists; a key is never overwritten");
            }

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            KeyProtector.FromFile(parse.GetValue(passphrase)?.FullName).SaveEcdsa(path, key);
            File.WriteAllText(path + ".pub.pem", key.ExportSubjectPublicKeyInfoPem() + "\n");
            Console.WriteLine($"key {TufKey.FromEcdsa(key).KeyId} written to {path} (public key: {path}.pub.pem)");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Sign()
    {
        var key = new Option<FileInfo>("--key") { Description = "The private key", Required = true, HelpName = "FILE" };
        var passphrase = PassphraseFile();
        var input = new Option<FileInfo>("--in") { Description = "Metadata to sign, as 'rampart keys root prepare' wrote it", Required = true, HelpName = "FILE" };
        var output = new Option<FileInfo>("--out") { Description = "Signature file to write", Required = true, HelpName = "FILE" };
        var command = new Command("sign", "Sign prepared TUF metadata with one key (offline).") { key, passphrase, input, output };
        command.SetAction((parse, _) => CliErrors.RunAsync(() =>
        {
            var signed = ReadObject(parse.GetValue(input)!);
            using var signer = KeyProtector.FromFile(parse.GetValue(passphrase)?.FullName).LoadEcdsa(parse.GetValue(key)!.FullName);
            var signature = SignedMetadata.Signature(signed, signer);
            File.WriteAllText(parse.GetValue(output)!.FullName, signature.ToJsonString() + "\n");
            Console.WriteLine($"signed {signed["_type"]} version {signed["version"]} with key {signature["keyid"]}");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Prepare()
    {
        var target = new AdminTarget();
        var rootKeys = new Option<FileInfo[]>("--root-key") { Description = "A public key (PEM) of the new root role (repeatable; default: the current ones)", HelpName = "FILE" };
        var threshold = new Option<int?>("--threshold") { Description = "Signatures the new root role needs (default 1)" };
        var targetsKeys = new Option<FileInfo[]>("--targets-key") { Description = "A public key (PEM) of the new targets role (repeatable; default: the current ones)", HelpName = "FILE" };
        var targetsThreshold = new Option<int?>("--targets-threshold") { Description = "Signatures the new targets role needs (default 1)" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the root to sign", Required = true, HelpName = "FILE" };
        var command = target.AddTo(new Command("prepare", "Write the next root version for signing: by a threshold of the current root keys and of the new ones.")
        {
            rootKeys, threshold, targetsKeys, targetsThreshold, output,
        });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            static string[] Pems(FileInfo[]? files) => (files ?? []).Select(file => File.ReadAllText(file.FullName)).ToArray();
            var signed = await target.SendAsync<JsonObject>(parse, HttpMethod.Post, "api/v1/tuf/root/prepare", cancellationToken,
                new PrepareRootRequest(Pems(parse.GetValue(rootKeys)), parse.GetValue(threshold), Pems(parse.GetValue(targetsKeys)), parse.GetValue(targetsThreshold)));
            Write(parse.GetValue(output)!, signed);
            return 0;
        }));
        return command;
    }

    private static Command PrepareTargets()
    {
        var target = new AdminTarget();
        var output = new Option<FileInfo>("--out") { Description = "Where to write the targets metadata to sign", Required = true, HelpName = "FILE" };
        var command = target.AddTo(new Command("prepare", "Write the targets waiting for the offline targets key, as the next targets version.") { output });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            Write(parse.GetValue(output)!, await target.SendAsync<JsonObject>(parse, HttpMethod.Post, "api/v1/tuf/targets/prepare", cancellationToken));
            return 0;
        }));
        return command;
    }

    private static void Write(FileInfo output, JsonObject signed)
    {
        File.WriteAllText(output.FullName, signed.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"{signed["_type"]} version {signed["version"]} written to {output.FullName}; sign it with 'rampart keys sign' where the keys are");
    }

    private static Command Import(string role, string path)
    {
        var target = new AdminTarget();
        var input = new Option<FileInfo>("--in") { Description = $"The prepared {role}", Required = true, HelpName = "FILE" };
        var signatures = new Option<FileInfo[]>("--signature") { Description = "A signature file (repeatable)", HelpName = "FILE" };
        var command = target.AddTo(new Command("import", $"Publish the signed {role} once its signatures meet the threshold" +
            (role == "root" ? " (the node adds its own root key's signature if it holds one)." : ".")) { input, signatures });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var imported = await target.SendAsync<ImportMetadataResponse>(parse, HttpMethod.Post, path, cancellationToken,
                new SignedMetadataRequest(ReadObject(parse.GetValue(input)!), (parse.GetValue(signatures) ?? []).Select(ReadObject).ToArray()));
            Console.WriteLine($"{role} version {imported.Version} published");
            return 0;
        }));
        return command;
    }

    private static JsonObject ReadObject(FileInfo file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(file.FullName)) as JsonObject ?? throw new AdminCommandException($"{file.FullName} is not a JSON object");
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            throw new AdminCommandException($"{file.FullName} cannot be read: {exception.Message}");
        }
    }
}
