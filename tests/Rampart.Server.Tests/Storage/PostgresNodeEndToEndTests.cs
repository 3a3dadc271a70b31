using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;
using Rampart.Testing.Servers;

namespace Rampart.Server.Tests.Storage;

/// <summary>
/// A node on provider postgres as an operator runs it: <c>rampart serve</c> with the connection
/// string in the environment; a device enrolls over EST (openssl, curl), publishes over MQTT
/// (mosquitto_pub), is revoked (<c>rampart cert revoke</c>) and refused; <c>rampart audit verify</c>
/// finds the chain in PostgreSQL intact.
/// </summary>
public sealed class PostgresNodeEndToEndTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_device_enrolls_publishes_and_is_revoked_on_a_postgres_node_and_the_audit_chain_in_postgres_verifies()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        var data = _temp.Sub("data");
        var work = _temp.Sub("work");
        Directory.CreateDirectory(work);

        using (var node = PostgresNodes.Serve(data, connectionString))
        {
            var (https, mqtt) = await PostgresNodes.WaitUntilReadyAsync(node);
            Assert.Contains("storage=postgres postgres://127.0.0.1:", node.Output, StringComparison.Ordinal);

            var (added, addOutput) = await PostgresNodes.RunCliAsync(connectionString, "device", "add", "pg-1", "--model", "sensor", "--data", data);
            Assert.True(added == 0, addOutput);
            var token = PostgresNodes.BootstrapToken().Match(addOutput).Value;

            var (enrolled, enrollOutput) = await PostgresNodes.EnrollAndPublishAsync(work, data, https, mqtt, "pg-1", token);
            Assert.True(enrolled == 0, enrollOutput);
            Assert.Contains("pg-1.pem: OK", enrollOutput, StringComparison.Ordinal);
            Assert.Contains("published", enrollOutput, StringComparison.Ordinal);

            var (revoked, revokeOutput) = await PostgresNodes.RunCliAsync(connectionString, "cert", "revoke", "--device", "pg-1", "--reason", "keyCompromise", "--data", data);
            Assert.True(revoked == 0, revokeOutput);
            var (refused, refusedOutput) = await PostgresNodes.PublishAsync(work, data, https, mqtt, "pg-1");
            Assert.True(refused != 0, refusedOutput);

            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));
            Assert.DoesNotContain(PostgresNodes.PasswordOf(connectionString), node.Output, StringComparison.Ordinal);
        }

        // Everything went to PostgreSQL: the node made no SQLite file of its own.
        Assert.False(File.Exists(Path.Combine(data, "rampart.db")));
        Assert.Equal("active", await PostgresNodes.ScalarAsync(connectionString, "SELECT state FROM devices WHERE id = 'pg-1'"));
        Assert.Equal(1L, await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM certificates WHERE subject = 'pg-1' AND revoked_ms IS NOT NULL"));
        Assert.True((long)(await PostgresNodes.ScalarAsync(connectionString, "SELECT count(*) FROM audit_entries WHERE action LIKE 'certificate.%'"))! >= 2);

        var (verified, verifyOutput) = await PostgresNodes.RunCliAsync(connectionString, "audit", "verify", "--data", data);
        Assert.True(verified == 0, verifyOutput);
        Assert.Contains("audit log intact", verifyOutput, StringComparison.Ordinal);

        // And it reads PostgreSQL, not the directory: an edited entry there is named.
        await PostgresNodes.ScalarAsync(connectionString,
            "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only; UPDATE audit_entries SET actor = 'nobody' WHERE seq = 2");
        var (broken, brokenOutput) = await PostgresNodes.RunCliAsync(connectionString, "audit", "verify", "--data", data);
        Assert.Equal(1, broken);
        Assert.Contains("first bad entry 2:", brokenOutput, StringComparison.Ordinal);
    }
}
