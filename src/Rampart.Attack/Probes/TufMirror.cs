using System.Collections.Concurrent;
using Rampart.Updates.Tuf;

namespace Rampart.Attack.Probes;

/// <summary>
/// A malicious mirror between a device and the node's TUF repository: it serves what the node serves,
/// except the files the attack replaces (a replayed root, an older snapshot), or — once frozen —
/// only what it served before (a freeze attack).
/// </summary>
public sealed class TufMirror(ITufRepository upstream) : ITufRepository
{
    private readonly ConcurrentDictionary<string, byte[]?> _replaced = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]?> _served = new(StringComparer.Ordinal);
    private volatile bool _frozen;

    /// <summary>Every path the device asked for, in order (evidence).</summary>
    public ConcurrentQueue<string> Requested { get; } = new();

    /// <summary>The node's repository behind the mirror.</summary>
    public ITufRepository Upstream { get; } = upstream;

    /// <summary>Serves <paramref name="bytes"/> (null: "not found") for <paramref name="path"/> instead of the node's file.</summary>
    public void Replace(string path, byte[]? bytes) => _replaced[path] = bytes;

    /// <summary>From now on serves only what it served so far: the repository as it was at this moment.</summary>
    public void Freeze() => _frozen = true;

    public async Task<byte[]?> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        Requested.Enqueue(path);
        if (_replaced.TryGetValue(path, out var replaced))
        {
            return replaced;
        }

        if (_frozen)
        {
            return _served.GetValueOrDefault(path);
        }

        var bytes = await Upstream.FetchAsync(path, maxLength, cancellationToken);
        _served[path] = bytes;
        return bytes;
    }
}
