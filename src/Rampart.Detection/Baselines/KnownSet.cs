namespace Rampart.Detection.Baselines;

/// <summary>
/// A small set of what a device was seen with (source addresses, ports, destinations), held as 32-bit
/// hashes in one array that grows to at most its capacity. Past capacity it stops learning and says so:
/// a device that has used that many addresses is not judged by novelty any more (a documented limit).
/// </summary>
public sealed class KnownSet(int capacity)
{
    private uint[] _items = [];
    private int _count;

    public int Count => _count;

    public bool Full => _count >= capacity;

    /// <summary>Bytes held.</summary>
    public int ApproximateBytes => (_items.Length * sizeof(uint)) + 24 + 24;

    public bool Contains(string value) => Array.IndexOf(_items, Hash(value), 0, _count) >= 0;

    public bool Contains(int value) => Array.IndexOf(_items, (uint)value, 0, _count) >= 0;

    public void Add(string value) => Add(Hash(value));

    public void Add(int value) => Add((uint)value);

    private void Add(uint hash)
    {
        if (Full || Array.IndexOf(_items, hash, 0, _count) >= 0)
        {
            return;
        }

        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Min(capacity, Math.Max(2, _items.Length * 2)));
        }

        _items[_count++] = hash;
    }

    // FNV-1a: stable across processes (string.GetHashCode is randomised per process).
    private static uint Hash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash | 0x8000_0000u; // never a port number
    }
}
