using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Rampart.Attack.Battery;
using Rampart.Server.Admin;
using Rampart.Server.Api;
using Rampart.Server.DataDirectory;

namespace Rampart.Cli.Commands;

/// <summary>
/// <c>rampart attack</c>: the built-in red team. Runs real attacks against a node the operator owns
/// (loopback, or a host named with <c>--allow-target</c>) and reports per attack whether the control
/// held, with the evidence; exits 1 when anything did not hold.
/// </summary>
internal static class AttackCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var server = new Option<string>("--server") { Description = "The node's HTTPS address (default https://127.0.0.1:8443)", DefaultValueFactory = _ => "https://127.0.0.1:8443", HelpName = "URL" };
        var mqtt = new Option<string>("--mqtt") { Description = "The node's MQTT address (default 127.0.0.1:8883)", DefaultValueFactory = _ => "127.0.0.1:8883", HelpName = "HOST:PORT" };
        var token = new Option<string?>("--token") { Description = "Stage attack devices through the API with this operator token (default: the local admin socket of --data)", HelpName = "T" };
        var ca = new Option<FileInfo?>("--ca") { Description = "Rampart's root CA (default: DATA/ca-root.crt.pem)", HelpName = "FILE" };
        var only = new Option<string[]>("--only") { Description = "Run only these attacks (names as the report prints them)", AllowMultipleArgumentsPerToken = true, HelpName = "NAME" };
        var allow = new Option<string[]>("--allow-target") { Description = "Allow a target that is not loopback (a node you own)", HelpName = "HOST" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var list = new Option<bool>("--list") { Description = "List the attacks and the controls they test, then stop" };
        var command = new Command("attack", "Attack a node you own with real attacks (TLS, MQTT, EST, API) and report which controls held.")
        {
            data, server, mqtt, token, ca, only, allow, json, list,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (parse.GetValue(list))
            {
                foreach (var attack in AttackBattery.All)
                {
                    Console.WriteLine($"{attack.Name,-27} {attack.Mapping.Control} ({attack.Mapping.Owasp})");
                }

                return 0;
            }

            var attacks = Refused(() => AttackBattery.Select(parse.GetValue(only) ?? []));
            var allowed = parse.GetValue(allow) ?? [];
            var https = new Uri(parse.GetValue(server)!);
            var (mqttHost, mqttPort) = SimCommand.HostPort(parse.GetValue(mqtt)!);
            await Refused(() => TargetGuard.CheckAsync(https.Host, allowed, cancellationToken));
            var mqttAddress = (await Refused(() => TargetGuard.CheckAsync(mqttHost, allowed, cancellationToken)))[0];
            var dataDirectory = CommonOptions.ResolveData(parse.GetValue(data));
            var root = X509CertificateLoader.LoadCertificateFromFile(parse.GetValue(ca)?.FullName ?? Path.Combine(dataDirectory, "ca-root.crt.pem"));
            using var admin = parse.GetValue(token) is { } bearer
                ? AdminClient.ForServer(https.ToString(), bearer, File.ReadAllText(parse.GetValue(ca)?.FullName ?? Path.Combine(dataDirectory, "ca-root.crt.pem")))
                : new AdminClient(NodeDataDirectory.OpenExisting(dataDirectory).AdminSocketPath);
            var target = new AttackTarget(https, new IPEndPoint(mqttAddress, mqttPort), root);
            return await RunAsync(target, new AdminAttackFleet(admin), attacks, parse.GetValue(json), cancellationToken);
        }));
        return command;
    }

    /// <summary>Runs the battery and prints its report; 0 when every attack was held or skipped, 1 otherwise.</summary>
    public static async Task<int> RunAsync(AttackTarget target, IAttackFleet fleet, IReadOnlyList<IAttack> attacks, bool json, CancellationToken cancellationToken)
    {
        IReadOnlyList<AttackResult> results;
        await using (var context = new AttackContext(target, fleet, TimeProvider.System))
        {
            if (!json)
            {
                Console.WriteLine($"rampart attack: {attacks.Count} attacks against {target.Https} and mqtts://{target.Mqtt} (run {context.Run}; staged devices are named attack-{context.Run}-*)");
            }

            await Refused(async () =>
            {
                await AttackBattery.BaselineAsync(context, cancellationToken);
                return true;
            });
            results = await AttackBattery.RunAsync(context, attacks, json ? null : result => Console.WriteLine(AttackReport.Line(result)), cancellationToken);
        }

        Console.WriteLine(json ? AttackReport.ToJson(target, results) : AttackReport.Summary(results));
        return results.Any(r => r.Verdict == AttackVerdict.NotHeld) ? 1 : 0;
    }

    private static T Refused<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (AttackRefusedException refused)
        {
            throw new AdminCommandException(refused.Message);
        }
    }

    private static async Task<T> Refused<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (AttackRefusedException refused)
        {
            throw new AdminCommandException(refused.Message);
        }
    }

    /// <summary>Stages the battery's devices and operator through the node's admin API (socket or token).</summary>
    internal sealed class AdminAttackFleet(AdminClient admin) : IAttackFleet
    {
        public async Task<string> AddDeviceAsync(string id, CancellationToken cancellationToken) =>
            (await admin.SendAsync<AddDeviceResponse>(HttpMethod.Post, "api/v1/devices", cancellationToken, new AddDeviceRequest(id, Model: "rampart-attack"))).BootstrapToken.Token;

        public Task RetireDeviceAsync(string id, CancellationToken cancellationToken) =>
            admin.SendAsync<RevokeResponse>(HttpMethod.Post, $"api/v1/devices/{Uri.EscapeDataString(id)}/retire", cancellationToken);

        public async Task<string> InviteOperatorAsync(string name, string role, CancellationToken cancellationToken) =>
            (await admin.SendAsync<InvitationResponse>(HttpMethod.Post, "api/v1/users", cancellationToken, new InviteRequest(name, role))).Invitation;

        public Task DisableOperatorAsync(string name, CancellationToken cancellationToken) =>
            admin.SendAsync<object>(HttpMethod.Post, $"api/v1/users/{Uri.EscapeDataString(name)}/disable", cancellationToken);

        public async Task<IReadOnlyList<string>> EventKindsAsync(string deviceId, CancellationToken cancellationToken) =>
            (await admin.SendAsync<SecurityEventResponse[]>(HttpMethod.Get, $"api/v1/events?device={Uri.EscapeDataString(deviceId)}&limit=200", cancellationToken))
                .Select(e => e.Kind).ToArray();
    }
}
