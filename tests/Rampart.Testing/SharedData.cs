namespace Rampart.Testing;

/// <summary>The project's shared data folder (shared/ beside the repository in every checkout and in CI).</summary>
public static class SharedData
{
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

    public static string PathOf(string relative)
    {
        var path = Path.Combine(RepositoryRoot, "..", "shared", "data", relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"shared data file missing: {path} (shared/ must sit beside the repository)");
    }
}
