using System.CommandLine;
using Rampart.Server.Hosting;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart serve</c>: run a node until SIGTERM or Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var https = new Option<string?>("--https") { Description = "HTTPS listener (EST, TUF, API) (default: 127.0.0.1:8443)", HelpName = "ADDR:PORT" };
        var mqtt = new Option<string?>("--mqtt") { Description = "MQTT over mutual TLS listener (default: 127.0.0.1:8883)", HelpName = "ADDR:PORT" };
        var coap = new Option<string?>("--coap") { Description = "CoAP over DTLS 1.2 listener, UDP (default: 127.0.0.1:5684)", HelpName = "ADDR:PORT" };
        var logFormat = new Option<string?>("--log-format") { Description = "text or json (default: text)", HelpName = "FORMAT" };
        var config = new Option<string?>("--config")
        {
            Description = $"A JSON settings file ({{ \"Rampart\": {{ … }} }}), above appsettings.json and below the environment (default: ${NodeConfiguration.ConfigEnvironmentVariable})",
            HelpName = "FILE",
        };
        var command = new Command("serve", "Run a Rampart node on a data directory (initialised on first start).")
        {
            data, https, mqtt, coap, logFormat, config,
        };

        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var configuration = NodeConfiguration.Build(Directory.GetCurrentDirectory(), new Dictionary<string, string?>
            {
                [nameof(NodeOptions.DataDirectory)] = parse.GetValue(data),
                [nameof(NodeOptions.Https)] = parse.GetValue(https),
                [nameof(NodeOptions.Mqtt)] = parse.GetValue(mqtt),
                [nameof(NodeOptions.Coap)] = parse.GetValue(coap),
                [nameof(NodeOptions.LogFormat)] = parse.GetValue(logFormat),
            }, parse.GetValue(config));
            await using var node = await RampartNode.StartAsync(configuration, Console.Out, cancellationToken);
            await node.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }
}
