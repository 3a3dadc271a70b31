using System.Text.Json;

namespace Rampart.Cli.Commands;

/// <summary>
/// What <c>rampart login</c> keeps: server, token and the CA to trust, in
/// <c>$XDG_CONFIG_HOME/rampart/credentials.json</c> (default <c>~/.config</c>), owner-only.
/// </summary>
internal sealed record Credentials(string Server, string Token, string? CaPem, string User, DateTimeOffset Expires)
{
    // Redacted: the token must not reach an error message or a log through the generated ToString.
    public override string ToString() => $"Credentials {{ Server = {Server}, User = {User}, Expires = {Expires:O} }}";

    public static string FilePath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(config, "rampart", "credentials.json");
        }
    }

    public static Credentials? Load()
    {
        var path = FilePath;
        return File.Exists(path) ? JsonSerializer.Deserialize<Credentials>(File.ReadAllText(path), JsonSerializerOptions.Web) : null;
    }

    public void Save()
    {
        var path = FilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        global::Rampart.Server.DataDirectory.OwnerOnlyFile.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(this, JsonSerializerOptions.Web));
    }

    public static void Delete() => File.Delete(FilePath);
}
