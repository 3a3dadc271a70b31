using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Rampart.Server.Hosting;

/// <summary>
/// The settings file of <c>rampart serve --config FILE</c> (or <c>RAMPART_CONFIG</c>): read once, checked
/// before the node touches anything, and refused with a reason a person can act on. A settings file
/// decides who may talk to the node (<c>Rampart:Cluster:ProxyProtocolFrom</c>, service grants) and where
/// its state lives, so one that other users may write is refused like a key file would be.
/// </summary>
internal static class SettingsFile
{
    /// <summary>More than any real settings file; a bound on what is read into memory.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Syntax = new()
    {
        // What Microsoft.Extensions.Configuration.Json itself accepts, so a file that passes here loads.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The file as a configuration source, or null when none is named.</summary>
    /// <exception cref="NodeStartupException">The file is missing, too large, writable by others or not a JSON object.</exception>
    public static IConfigurationSource? Resolve(string workingDirectory, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var full = Path.GetFullPath(path, workingDirectory);
        var bytes = Read(full);
        try
        {
            using var document = JsonDocument.Parse(bytes, Syntax);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new NodeStartupException($"settings file {full}: the top level must be a JSON object ({{ \"Rampart\": {{ … }} }}), not {Describe(document.RootElement.ValueKind)}");
            }
        }
        catch (JsonException exception)
        {
            // JsonException's line and position are zero-based; editors count from one.
            throw new NodeStartupException(
                $"settings file {full}: not valid JSON at line {exception.LineNumber + 1}, position {exception.BytePositionInLine + 1}", exception);
        }

        return new JsonStreamConfigurationSource { Stream = new MemoryStream(bytes, writable: false) };
    }

    private static byte[] Read(string path)
    {
        FileInfo file = new(path);
        if (!file.Exists)
        {
            throw new NodeStartupException(Directory.Exists(path)
                ? $"settings file {path} is a directory; --config names a JSON file"
                : $"settings file {path} does not exist");
        }

        if (file.Length > MaxBytes)
        {
            throw new NodeStartupException($"settings file {path} is {file.Length:N0} bytes; at most {MaxBytes:N0} are read");
        }

        if (!OperatingSystem.IsWindows()
            && (file.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new NodeStartupException(
                $"settings file {path} may be written by other users (mode {Convert.ToString((int)file.UnixFileMode, 8)}); it decides who may reach the node: chmod go-w {path}");
        }

        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartupException($"settings file {path} cannot be read: {exception.Message}", exception);
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
