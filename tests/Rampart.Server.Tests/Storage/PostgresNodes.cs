using System.Text.RegularExpressions;
using Npgsql;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// <c>rampart serve</c> processes on provider postgres: the settings come from the environment, as
/// an operator keeps the password out of files (RAMPART__STORAGE__CONNECTIONSTRING).
/// </summary>
internal static partial class PostgresNodes
{
    /// <summary>The environment of a node (or an admin command) on the database at <paramref name="connectionString"/>.</summary>
    public static Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["RAMPART__STORAGE__PROVIDER"] = "postgres",
        ["RAMPART__STORAGE__CONNECTIONSTRING"] = connectionString,
    };

    /// <summary>Starts <c>rampart serve</c> on <paramref name="data"/> with its storage on PostgreSQL.</summary>
    public static RunningProcess Serve(string data, string connectionString) => RampartCli.Serve(data, environment: Environment(connectionString));

    /// <summary>Waits for the ready line; returns the HTTPS address and the MQTT port.</summary>
    public static async Task<(Uri Https, int MqttPort)> WaitUntilReadyAsync(RunningProcess process)
    {
        var match = await process.WaitForOutputAsync(ReadyLine(), RampartCli.Patience);
        return (new Uri(match.Groups[1].Value), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs an admin command with the same storage settings as the node.</summary>
    public static Task<(int ExitCode, string Output)> RunCliAsync(string connectionString, params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [RampartCli.Dll, .. arguments], RampartCli.Patience, environment: Environment(connectionString));

    /// <summary>The first column of the first row, read straight from the database.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>The password in <paramref name="connectionString"/>: what must never be printed.</summary>
    public static string PasswordOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Password!;

    /// <summary>
    /// Enrolls <paramref name="id"/> over EST with openssl and curl (a fresh P-256 key), then
    /// publishes once with mosquitto_pub over mutual TLS; prints the exit code of the publish.
    /// </summary>
    public static Task<(int ExitCode, string Output)> EnrollAndPublishAsync(string work, string data, Uri https, int mqttPort, string id, string token) =>
        RunningProcess.RunAsync("bash", ["-euo", "pipefail", "-c", $$"""
            curl -sSf --cacert "$CA" "${URL}.well-known/est/cacerts" >/dev/null
            openssl ecparam -name prime256v1 -genkey -noout -out {{id}}.key
            openssl req -new -key {{id}}.key -subj /CN=ignored -outform DER | base64 > {{id}}.csr.b64
            curl -sSf --cacert "$CA" -u '{{id}}:{{token}}' -H 'Content-Type: application/pkcs10' \
              --data-binary @{{id}}.csr.b64 "${URL}.well-known/est/simpleenroll" | base64 -d > {{id}}.p7
            openssl pkcs7 -inform DER -in {{id}}.p7 -print_certs -out {{id}}.pem
            openssl verify -CAfile "$CA" -untrusted "$ISSUING" {{id}}.pem
            """ + Publish(id, mqttPort)], RampartCli.Patience, work, Files(data, https));

    /// <summary>One QoS 1 publish of <paramref name="id"/> with its enrolled key; exit 0 only when the node accepted it.</summary>
    public static Task<(int ExitCode, string Output)> PublishAsync(string work, string data, Uri https, int mqttPort, string id) =>
        RunningProcess.RunAsync("bash", ["-euo", "pipefail", "-c", Publish(id, mqttPort)], RampartCli.Patience, work, Files(data, https));

    private static string Publish(string id, int port) =>
        $"\nmosquitto_pub -h 127.0.0.1 -p {port} --cafile \"$CA\" --cert {id}.pem --key {id}.key -i {id} -V mqttv5 -q 1 -t devices/{id}/telemetry/t -m 21.5\necho published\n";

    private static Dictionary<string, string> Files(string data, Uri https) => new()
    {
        ["CA"] = Path.Combine(data, "ca-root.crt.pem"),
        ["ISSUING"] = Path.Combine(data, "ca-issuing.crt.pem"),
        ["URL"] = https.ToString(),
    };

    [GeneratedRegex(@"Rampart node ready: https=(https://[0-9.:\[\]]+/) mqtts=[0-9.]+:(\d+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex("rampart-boot-[A-Za-z0-9_-]{43}")]
    public static partial Regex BootstrapToken();
}
