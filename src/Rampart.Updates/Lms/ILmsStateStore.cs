using Rampart.Updates.Files;

namespace Rampart.Updates.Lms;

/// <summary>
/// Where an LMS key's next leaf index is kept. <see cref="ReserveAsync"/> must be durable when it
/// returns: the signer releases a signature only after the index past it is stored, so a one-time
/// key is never used twice, even across a crash or power loss (RFC 8554 §5.2, "the private key is stateful").
/// </summary>
public interface ILmsStateStore
{
    /// <summary>The next unused leaf, or 0 for a new key.</summary>
    Task<long> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Durably records that leaves below <paramref name="next"/> are spent.</summary>
    Task ReserveAsync(long next, CancellationToken cancellationToken);
}

/// <summary>
/// The next leaf index in a small file, written to a temporary file, fsynced, renamed over the old one,
/// and the directory fsynced: after a crash the file holds the old or the new index, never less than
/// any index whose signature was released.
/// </summary>
public sealed class FileLmsStateStore(string path) : ILmsStateStore
{
    /// <inheritdoc />
    public async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var next) && next >= 0
            ? next
            : throw new InvalidDataException($"{path} does not hold an LMS state index; refusing to guess (a reused one-time key would break the signature scheme)");
    }

    /// <inheritdoc />
    public Task ReserveAsync(long next, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AtomicFile.Write(path, System.Text.Encoding.ASCII.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Task.CompletedTask;
    }
}
