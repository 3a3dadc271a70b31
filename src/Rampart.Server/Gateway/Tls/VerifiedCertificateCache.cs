using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rampart.Server.Gateway.Tls;

/// <summary>
/// Client certificates whose chain to this node's CA was already verified, by the SHA-256 of their
/// DER encoding: a device reconnecting with the same certificate skips the chain build (which costs
/// more than the rest of the handshake). Only the chain is remembered — the handshake still proves
/// possession of the key (CertificateVerify), and revocation and device state are read live on every
/// CONNECT. Bounded (least recently used evicted) and emptied whenever the trusted anchors change.
/// </summary>
public sealed class VerifiedCertificateCache(int capacity)
{
    private readonly object _sync = new();
    private readonly Dictionary<Key, LinkedListNode<Key>> _entries = [];
    private readonly LinkedList<Key> _order = new();
    private X509Certificate2[] _anchors = [];

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>True when <paramref name="der"/> was verified against exactly <paramref name="anchors"/> (root and issuing CAs, compared by identity).</summary>
    public bool Contains(ReadOnlySpan<byte> der, IReadOnlyList<X509Certificate2> anchors)
    {
        var key = Key.Of(der);
        lock (_sync)
        {
            Current(anchors);
            if (!_entries.TryGetValue(key, out var node))
            {
                return false;
            }

            _order.Remove(node);
            _order.AddFirst(node);
            return true;
        }
    }

    /// <summary>Remembers <paramref name="der"/> as verified against <paramref name="anchors"/>.</summary>
    public void Add(ReadOnlySpan<byte> der, IReadOnlyList<X509Certificate2> anchors)
    {
        if (capacity <= 0)
        {
            return;
        }

        var key = Key.Of(der);
        lock (_sync)
        {
            Current(anchors);
            if (_entries.ContainsKey(key))
            {
                return;
            }

            if (_entries.Count >= capacity && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _entries.Remove(oldest.Value);
            }

            _entries[key] = _order.AddFirst(key);
        }
    }

    /// <summary>Forgets everything (the trusted anchors changed).</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _entries.Clear();
            _order.Clear();
        }
    }

    // A verification against other anchors (a CA rollover, its overlap ending) says nothing about these.
    private void Current(IReadOnlyList<X509Certificate2> anchors)
    {
        if (_anchors.Length == anchors.Count && _anchors.Select((anchor, i) => ReferenceEquals(anchor, anchors[i]) || anchor.RawDataMemory.Span.SequenceEqual(anchors[i].RawDataMemory.Span)).All(same => same))
        {
            return;
        }

        _entries.Clear();
        _order.Clear();
        _anchors = [.. anchors];
    }

    private readonly record struct Key(ulong A, ulong B, ulong C, ulong D)
    {
        public static Key Of(ReadOnlySpan<byte> der)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(der, hash);
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(hash);
            return new Key(words[0], words[1], words[2], words[3]);
        }
    }
}
