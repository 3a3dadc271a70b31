using System.Net;
using System.Net.Sockets;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Functional;

public sealed class NodeStartupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_new_data_directory_and_its_keys_are_owner_only()
    {
        var data = _temp.Sub("data");
        await using (var node = await TestNode.StartAsync(data))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(node.Node.AdminSocketPath));
        }

        var files = Directory.GetFiles(data, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("audit-signing.key.pem", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("tls-server.key.pem", StringComparison.Ordinal));
        Assert.All(files, file => Assert.True((File.GetUnixFileMode(file) & (UnixFileMode)0b000_111_111) == 0, $"{file} is {File.GetUnixFileMode(file)}"));
    }

    [Fact]
    public async Task A_key_file_readable_by_others_stops_the_node_from_starting()
    {
        var data = _temp.Sub("data");
        await (await TestNode.StartAsync(data)).DisposeAsync();
        var key = Path.Combine(data, "keys", "audit-signing.key.pem");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_node_on_the_same_data_directory_is_refused()
    {
        var data = _temp.Sub("data");
        await using var first = await TestNode.StartAsync(data);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));

        Assert.Contains("already running", error.Message, StringComparison.Ordinal);
        using var client = first.HttpsClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_with_the_option_that_named_it()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<NodeStartupException>(() =>
            TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?> { ["Rampart:Https"] = $"127.0.0.1:{port}" }));

        Assert.Equal($"cannot listen on 127.0.0.1:{port} (--https): the address is already in use", error.Message);
        Assert.False(NodeDataDirectory_IsLocked(_temp.Sub("data")));
    }

    [Theory]
    [InlineData("Rampart:Https", "nonsense", "--https: 'nonsense' is not ADDR:PORT")]
    [InlineData("Rampart:Https", "127.0.0.1:70000", "is not a port number")]
    [InlineData("Rampart:Mqtt", "example.org:8883", "is not an IP address")]
    [InlineData("Rampart:Mqtt", "::1:8883", "in brackets")]
    [InlineData("Rampart:LogFormat", "xml", "--log-format: 'xml' is not one of: text, json")]
    public async Task Bad_settings_are_refused_with_a_clear_reason(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<NodeStartupException>(() =>
            TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("data")), "nothing is created when settings are invalid");
    }

    [Theory]
    [InlineData("Rampart:Audit:MaxBatchSize", "0", "Rampart:Audit:MaxBatchSize must be 1 to 65536 (it is 0)")]
    [InlineData("Rampart:Audit:MaxBatchSize", "lots", "'Rampart:Audit:MaxBatchSize' to type 'System.Int32'")]
    [InlineData("Rampart:Operators:PasswordMemoryKiB", "4096", "Rampart:Operators:PasswordMemoryKiB must be 19456 to 1048576 (it is 4096)")]
    [InlineData("Rampart:Rollouts:Tick", "00:00:00", "Rampart:Rollouts:Tick must be above 0")]
    [InlineData("Rampart:Enrollment:RenewalWindowFraction", "1.5", "Rampart:Enrollment:RenewalWindowFraction must be above 0 and at most 1 (it is 1.5)")]
    public async Task Bad_fleet_settings_stop_the_node_at_start_with_the_setting_named(string key, string value, string expected)
    {
        var start = TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?> { [key] = value });

        // Bounded: a zero batch size used to spin the audit writer instead of refusing.
        var error = await Assert.ThrowsAsync<NodeStartupException>(() => start.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("data")), "nothing is created when settings are invalid");
    }

    [Fact]
    public async Task A_passphrase_file_that_cannot_be_read_or_is_too_short_stops_the_node_with_the_setting_named()
    {
        var directoryAsFile = Directory.CreateDirectory(_temp.Sub("not-a-file")).FullName;
        var shortFile = Path.Combine(directoryAsFile, "short");
        await File.WriteAllTextAsync(shortFile, "too-short\n");

        // A directory reads as UnauthorizedAccessException, which used to escape as a stack trace.
        var unreadable = await Assert.ThrowsAsync<NodeStartupException>(() =>
            TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?> { ["Rampart:Keys:PassphraseFile"] = directoryAsFile }));
        var tooShort = await Assert.ThrowsAsync<NodeStartupException>(() =>
            TestNode.StartAsync(_temp.Sub("data2"), new Dictionary<string, string?> { ["Rampart:Keys:PassphraseFile"] = shortFile }));

        Assert.StartsWith($"Rampart:Keys:PassphraseFile: {directoryAsFile} cannot be read", unreadable.Message, StringComparison.Ordinal);
        Assert.Equal($"Rampart:Keys:PassphraseFile: the passphrase in {shortFile} must be at least 12 characters", tooShort.Message);
    }

    [Fact]
    public async Task Every_bad_fleet_setting_is_reported_at_once()
    {
        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Rampart:Audit:QueueCapacity"] = "0",
            ["Rampart:Approvals:Deadline"] = "-01:00:00",
            ["Rampart:SetupToken:Lifetime"] = "00:00:00",
        }));

        Assert.Contains("Rampart:Audit:QueueCapacity", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rampart:Approvals:Deadline", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rampart:SetupToken:Lifetime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_is_reported()
    {
        var file = _temp.Sub("a-file");
        await File.WriteAllTextAsync(file, "not a directory");

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(Path.Combine(file, "data")));

        Assert.Contains("cannot be used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_writable_by_others_is_refused()
    {
        var data = _temp.Sub("data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(data, (UnixFileMode)0b111_111_111);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(data));

        Assert.Contains("writable by group or others", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plaintext_endpoint_in_configuration_never_becomes_a_listener()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        await using var node = await TestNode.StartAsync(_temp.Sub("data"), new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Plain:Url"] = $"http://127.0.0.1:{port}",
        });

        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
    }

    private static bool NodeDataDirectory_IsLocked(string data) => Server.DataDirectory.NodeDataDirectory.IsInUse(data);
}
