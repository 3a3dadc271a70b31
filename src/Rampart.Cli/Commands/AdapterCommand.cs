using System.CommandLine;
using Rampart.Server.Adapters;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart adapter psk issue|revoke ID</c> and <c>rampart adapter legacy register|rotate|replaced|list</c>:
/// the credentials of the front doors beside MQTT (docs/adapters.md). Secrets are printed once.
/// </summary>
internal static class AdapterCommand
{
    public static Command Create() => new("adapter", "Front doors beside MQTT: CoAP PSKs and legacy devices.") { Psk(), Legacy() };

    private static Command Psk()
    {
        var target = new AdminTarget();
        var id = DeviceIdArgument.Create();
        var issue = target.AddTo(new Command("issue", "Issue the device's 256-bit CoAP/DTLS PSK (PSK identity = device id), replacing the one in force: its sessions end.") { id });
        issue.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = DeviceIdArgument.ValueOf(parse, id);
            var issued = await target.SendAsync<IssuedSecretResponse>(parse, HttpMethod.Post, $"api/v1/devices/{device}/psk", cancellationToken);
            Print(issued, "PSK (the DTLS key is these 43 characters; PSK identity: the device id)");
            return 0;
        }));

        var revokeTarget = new AdminTarget();
        var revokeId = DeviceIdArgument.Create();
        var revoke = revokeTarget.AddTo(new Command("revoke", "Revoke the device's PSK; its CoAP sessions end.") { revokeId });
        revoke.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = DeviceIdArgument.ValueOf(parse, revokeId);
            await revokeTarget.SendAsync<object?>(parse, HttpMethod.Delete, $"api/v1/devices/{device}/psk", cancellationToken);
            Console.WriteLine($"PSK of {device} revoked");
            return 0;
        }));
        return new Command("psk", "Per-device pre-shared keys for CoAP over DTLS.") { issue, revoke };
    }

    private static Command Legacy()
    {
        var registerTarget = new AdminTarget();
        var registerId = DeviceIdArgument.Create();
        var reason = new Option<string>("--reason") { Description = "Why the device cannot hold a certificate (kept with the open finding)", Required = true };
        var register = registerTarget.AddTo(new Command("register", "Register a device that never enrolled as legacy: its own secret, the legacy adapter only, telemetry only.") { registerId, reason });
        register.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = DeviceIdArgument.ValueOf(parse, registerId);
            var issued = await registerTarget.SendAsync<IssuedSecretResponse>(parse, HttpMethod.Post, $"api/v1/devices/{device}/legacy", cancellationToken,
                new LegacyRegistrationRequest(parse.GetValue(reason)!));
            Print(issued, "legacy secret (HTTP Basic password at /device/v1/legacy/telemetry/NAME; user: the device id)");
            return 0;
        }));

        var rotateTarget = new AdminTarget();
        var rotateId = DeviceIdArgument.Create();
        var rotate = rotateTarget.AddTo(new Command("rotate", "A new secret for a legacy device; the old one stops working at once.") { rotateId });
        rotate.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = DeviceIdArgument.ValueOf(parse, rotateId);
            Print(await rotateTarget.SendAsync<IssuedSecretResponse>(parse, HttpMethod.Post, $"api/v1/devices/{device}/legacy/secret", cancellationToken), "legacy secret");
            return 0;
        }));

        var replacedTarget = new AdminTarget();
        var replacedId = DeviceIdArgument.Create();
        var replaced = replacedTarget.AddTo(new Command("replaced", "Close a legacy finding: the device was replaced; its secret is revoked.") { replacedId });
        replaced.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var device = DeviceIdArgument.ValueOf(parse, replacedId);
            await replacedTarget.SendAsync<object?>(parse, HttpMethod.Post, $"api/v1/devices/{device}/legacy/replaced", cancellationToken);
            Console.WriteLine($"legacy finding for {device} closed");
            return 0;
        }));

        var listTarget = new AdminTarget();
        var list = listTarget.AddTo(new Command("list", "Legacy devices; each open one is an audit finding until it is replaced."));
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            foreach (var finding in await listTarget.SendAsync<LegacyFinding[]>(parse, HttpMethod.Get, "api/v1/adapters/legacy", cancellationToken))
            {
                Console.WriteLine($"{finding.DeviceId}\t{(finding.Open ? "OPEN" : "replaced " + finding.Replaced?.ToString("O"))}\tregistered {finding.Registered:O} by {finding.RegisteredBy}\t{finding.Reason}");
            }

            return 0;
        }));
        return new Command("legacy", "Devices registered as legacy (confined: telemetry only, tighter limits, marked).") { register, rotate, replaced, list };
    }

    private static void Print(IssuedSecretResponse issued, string what)
    {
        Console.WriteLine($"device {issued.DeviceId}: {what}, key id {issued.KeyId}{(issued.Replaced is null ? string.Empty : $" (replaces {issued.Replaced})")}");
        Console.WriteLine(issued.Secret);
        Console.Error.WriteLine("shown once: Rampart keeps only its hash (and, for a PSK, a sealed copy the DTLS handshake needs)");
    }
}
