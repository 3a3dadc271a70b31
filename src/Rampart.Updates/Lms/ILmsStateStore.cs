using Rampart.Updates.Files;

namespace Rampart.Updates.Lms;

/// <summary>
/// Where an LMS key's next leaf index is kept. <see cref="ReserveNextAsync"/> must be durable when it
/// returns: the signer releases a signature only after the index past it is stored, so a one-time
/// key is never used twice, even across a crash or power loss (RFC 8554 §5.2, "the private key is
/// stateful"; §5.4: an LM-OTS key signs one message). The store, not the signer, hands out the
/// index, so signers in several processes (the nodes of a cluster) sharing one store never get the same leaf.
/// </summary>
public interface ILmsStateStore
{
    /// <summary>The next unused leaf, or 0 for a new key.</summary>
    Task<long> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Durably records that leaves below <paramref name="next"/> are spent (0 for a new key); never lowers what is stored.</summary>
    Task ReserveAsync(long next, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the next unused leaf below <paramref name="leaves"/> and durably records it spent, in one
    /// atomic step: returns its index, or null when every leaf is spent.
    /// </summary>
    Task<long?> ReserveNextAsync(long leaves, CancellationToken cancellationToken);
}

/// <summary>
/// The next leaf index in a small file, written to a temporary file, fsynced, renamed over the old one,
/// and the directory fsynced: after a crash the file holds the old or the new index, never less than
/// any index whose signature was released.
/// One process at a time: the file belongs to one node (a cluster keeps the index in its database).
/// </summary>
public sealed class FileLmsStateStore(string path) : ILmsStateStore
{
    private readonly SemaphoreSlim _lock = new(1, 1);

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
    public async Task ReserveAsync(long next, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            // Never back: a file left by an earlier signer of this key keeps its index (RFC 8554 §5.4).
            Write(Math.Max(next, await LoadAsync(cancellationToken)));
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<long?> ReserveNextAsync(long leaves, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var next = await LoadAsync(cancellationToken);
            if (next >= leaves)
            {
                return null;
            }

            Write(next + 1);
            return next;
        }
        finally
        {
            _lock.Release();
        }
    }

    private void Write(long next) =>
        AtomicFile.Write(path, System.Text.Encoding.ASCII.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
