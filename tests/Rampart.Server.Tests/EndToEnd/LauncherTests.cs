using Rampart.Testing;

namespace Rampart.Server.Tests.EndToEnd;

public sealed class LauncherTests
{
    [Fact]
    public async Task The_rampart_script_at_the_repository_root_builds_and_runs_the_cli()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Rampart.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        var (exitCode, output) = await RunningProcess.RunAsync(Path.Combine(root, "rampart"), ["--version"], TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"^0\.1\.0", output.Split('\n').Last(line => line.Length > 0));
    }
}
