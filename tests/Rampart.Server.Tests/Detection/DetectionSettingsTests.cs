using Microsoft.Extensions.Configuration;
using Rampart.Server.Detection;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Detection;

public sealed class DetectionSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Bad_detection_settings_and_a_bad_profiles_file_stop_the_node_with_every_problem_named()
    {
        var file = Path.Combine(_temp.Path, "profiles.json");
        File.WriteAllText(file, """{ "rules": [ { "name": "x", "metric": "nope", "comparison": ">", "threshold": 1 } ] }""");

        var error = Assert.Throws<NodeStartupException>(() => DetectionSettings.From(Settings(
            ("Rampart:Detection:Window", "00:00:00.100"), ("Rampart:Detection:Response:MaxAutomaticContainments", "-1"),
            ("Rampart:Detection:ProfilesFile", file))));

        Assert.Contains("Detection:Window must be 1 s to 1 h", error.Message, StringComparison.Ordinal);
        Assert.Contains("Detection:Response:MaxAutomaticContainments must be 0 to 10,000", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Detection:ProfilesFile {file}: rules[0].metric: 'nope' is not a metric", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profiles_file_that_is_missing_or_not_a_number_where_one_is_wanted_is_refused_with_the_reason()
    {
        var missing = Assert.Throws<NodeStartupException>(() => DetectionSettings.From(Settings(("Rampart:Detection:ProfilesFile", Path.Combine(_temp.Path, "none.json")))));
        var unparsable = Assert.Throws<NodeStartupException>(() => DetectionSettings.From(Settings(("Rampart:Detection:MaxDevices", "many"))));

        Assert.Contains("none.json: no such file", missing.Message, StringComparison.Ordinal);
        Assert.Contains("Rampart:Detection:MaxDevices", unparsable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_profiles_file_gives_its_rules()
    {
        var file = Path.Combine(_temp.Path, "profiles.json");
        File.WriteAllText(file, """{ "rules": [ { "name": "chatty", "metric": "messages-in", "comparison": ">", "threshold": 500, "windows": 2 } ] }""");

        var settings = DetectionSettings.From(Settings(("Rampart:Detection:ProfilesFile", file)));

        Assert.Equal("messages-in > 500 for 2 windows", Assert.Single(settings.FileRules).Describe());
    }
}
