using System.Collections.Concurrent;
using System.Security.Cryptography;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Keys;

/// <summary>
/// Subjects' data keys, unwrapped on first use and cached (bounded) for the paths that seal per
/// message or per event: the telemetry archive and security events' source addresses. A destroyed
/// key (erasure) is never cached; <see cref="Forget"/> zeroes one at erasure. KEK rotation re-wraps
/// keys without changing them, so the cache survives it.
/// </summary>
public sealed class SubjectKeys(ISubjectStore store, Envelope envelope)
{
    private const int MaxCached = 4_096;
    private readonly ConcurrentDictionary<string, byte[]> _cached = new(StringComparer.Ordinal);

    /// <summary>The subject's data key, or null when it has none (unknown or erased).</summary>
    public async ValueTask<byte[]?> GetAsync(string pseudonym, CancellationToken cancellationToken)
    {
        if (_cached.TryGetValue(pseudonym, out var cached))
        {
            return cached;
        }

        if (await store.GetKeyAsync(pseudonym, cancellationToken) is not { } wrapped)
        {
            return null;
        }

        var dataKey = envelope.Unwrap(wrapped, pseudonym);
        if (_cached.Count >= MaxCached)
        {
            // Bounded: start again rather than track use (a reader may still hold an evicted key, so it is not zeroed here).
            _cached.Clear();
        }

        return _cached.GetOrAdd(pseudonym, dataKey);
    }

    /// <summary>Forgets (and zeroes) a subject's cached key: it was erased.</summary>
    public void Forget(string pseudonym)
    {
        if (_cached.TryRemove(pseudonym, out var dataKey))
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
