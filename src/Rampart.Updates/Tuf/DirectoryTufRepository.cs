namespace Rampart.Updates.Tuf;

/// <summary>
/// A repository in a local directory in the standard layout (<c>metadata/</c>, <c>targets/</c>): a mirror on
/// disk or removable media for devices updated without a network. As untrusted as any other.
/// </summary>
public sealed class DirectoryTufRepository(string root) : ITufRepository
{
    /// <inheritdoc />
    public async Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(Path.Combine(root, path));
        if (!file.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
        {
            return null;
        }

        // At most maxLength + 1 bytes, however long the file is (endless data).
        await using var stream = File.OpenRead(file);
        var buffer = new byte[(int)Math.Min(stream.Length, maxLength + 1)];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }
}
