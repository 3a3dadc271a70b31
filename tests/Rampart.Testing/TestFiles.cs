namespace Rampart.Testing;

/// <summary>
/// The repository's own test data (<c>tests/data</c>): reference vectors copied into the repository
/// with their source noted, so that a clone with nothing beside it runs every test.
/// </summary>
public static class TestFiles
{
    /// <summary>The folder that holds <c>Rampart.slnx</c>, found upwards from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(directory, "Rampart.slnx")))
            {
                directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("repository root not found");
            }

            return directory;
        }
    }

    /// <summary>The path of a file under <c>tests/data</c>; a missing file fails the test that asked for it.</summary>
    public static string PathOf(string relative)
    {
        var path = Path.Combine(RepositoryRoot, "tests", "data", relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"test data file missing: {path}");
    }
}
