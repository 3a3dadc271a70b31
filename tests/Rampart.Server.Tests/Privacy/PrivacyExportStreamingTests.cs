using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rampart.Privacy.Archive;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Subjects;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;
using Xunit.Abstractions;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// <c>rampart privacy export</c> streams the export to its file (issue 19 §9): run as a real process
/// under a 32 MiB GC heap limit against a subject whose archive exports as well over 100 MB of JSON, it
/// completes, the file holds every message, and its peak resident set (GNU time's maximum RSS) stays
/// below the file's size. Holding the document in memory cannot fit that heap.
/// </summary>
public sealed partial class PrivacyExportStreamingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 300_000;
    private GatewayNode _node = null!;

    public async Task InitializeAsync()
    {
        var settings = PrivacyNode.Settings();
        settings["Rampart:Privacy:Archive:Families:0"] = "telemetry";
        _node = await GatewayNode.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_cli_export_of_a_large_archive_streams_to_its_file_with_bounded_memory()
    {
        var subjects = _node.Get<SubjectService>();
        var pseudonym = await subjects.AddAsync("large-household", "eu", null, "test", CancellationToken.None);
        var dataKey = (await _node.Get<SubjectKeys>().GetAsync(pseudonym, CancellationToken.None))!;
        var store = _node.Get<ArchiveRegions>().For("eu")!;
        var payload = Encoding.UTF8.GetBytes("""{"t":21.5,"h":48,"co2":612,"lux":220,"door":"closed","window":"open","occupied":true,"battery":87,"rssi":-67,"fw":"2.4.1","seq":""" + new string('0', 120) + "}");
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < Messages; i += 10_000)
        {
            var rows = new List<SealedMessage>(10_000);
            for (var j = i; j < i + 10_000; j++)
            {
                rows.Add(ArchiveSealing.Seal(dataKey, pseudonym, "thermo-large", "telemetry", start.AddMilliseconds(j), "devices/thermo-large/telemetry/env", payload));
            }

            await store.AppendAsync(rows, CancellationToken.None);
        }

        var file = Path.Combine(_node.Node.Node.DataDirectory, "..", "large-export.json");
        var (code, text) = await RunningProcess.RunAsync(
            "/usr/bin/time", ["-f", "peak-rss-kib=%M", "dotnet", RampartCli.Dll, "privacy", "export", "--subject", "large-household", "--out", file, "--data", _node.Node.Node.DataDirectory],
            TimeSpan.FromMinutes(10), environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x2000000" });
        Assert.True(code == 0, text);
        Assert.Contains("export written to", text, StringComparison.Ordinal);

        var size = new FileInfo(file).Length;
        var peak = long.Parse(PeakRss().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        output.WriteLine($"export of {Messages} archived messages: {size / 1048576.0:0.0} MiB JSON; the CLI's peak RSS {peak / 1048576.0:0.0} MiB under a 32 MiB GC heap limit");
        Assert.True(size > 100 << 20, $"the export is {size} bytes");
        Assert.True(peak < size, $"peak RSS {peak} bytes is not below the export's {size} bytes");

        await using var stream = File.OpenRead(file);
        using var document = await JsonDocument.ParseAsync(stream);
        Assert.Equal(Messages, document.RootElement.GetProperty("archive").GetArrayLength());
        Assert.Equal(Messages, document.RootElement.GetProperty("archiveHeld").GetInt64());
        Assert.Equal("large-household", document.RootElement.GetProperty("subject").GetProperty("id").GetString());
        File.Delete(file);
    }

    [GeneratedRegex(@"peak-rss-kib=(\d+)")]
    private static partial Regex PeakRss();
}
