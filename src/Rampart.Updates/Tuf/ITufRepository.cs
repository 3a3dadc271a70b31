namespace Rampart.Updates.Tuf;

/// <summary>Where a TUF client fetches from (HTTPS in production, memory in tests). Untrusted.</summary>
public interface ITufRepository
{
    /// <summary>
    /// The file at <paramref name="path"/> (<c>metadata/2.root.json</c>, <c>targets/…</c>), or null when
    /// absent. Reads at most <paramref name="maxLength"/> + 1 bytes, so the client can tell a file that is
    /// too long without the repository making it read one without end.
    /// </summary>
    Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken);
}
