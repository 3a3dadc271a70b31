using System.Collections.Concurrent;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Delivery;

/// <summary>
/// Which subject each device belongs to, with its region and consents, in memory for the delivery
/// path: looked up by the device id span of a topic without allocating. Replaced per subject right
/// after each change commits, so a withdrawn consent holds for the next message.
/// </summary>
public sealed class SubjectDirectory
{
    private readonly ConcurrentDictionary<string, SubjectRouting> _byDevice = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SubjectRouting>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly ConcurrentDictionary<string, SubjectRouting> _bySubject = new(StringComparer.Ordinal);
    private readonly Lock _writes = new();
    private long _version;

    public SubjectDirectory()
    {
        _bySpan = _byDevice.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Subjects known.</summary>
    public int Count => _bySubject.Count;

    /// <summary>The subject device <paramref name="deviceId"/> belongs to, or null.</summary>
    public SubjectRouting? Find(ReadOnlySpan<char> deviceId) => _bySpan.TryGetValue(deviceId, out var routing) ? routing : null;

    /// <summary>Sets what is known of one subject (its devices, region, consents).</summary>
    public void Set(SubjectRouting routing)
    {
        lock (_writes)
        {
            Interlocked.Increment(ref _version);
            if (_bySubject.TryGetValue(routing.Pseudonym, out var old))
            {
                foreach (var device in old.Devices.Except(routing.Devices))
                {
                    _byDevice.TryRemove(device, out _);
                }
            }

            _bySubject[routing.Pseudonym] = routing;
            foreach (var device in routing.Devices)
            {
                _byDevice[device] = routing;
            }
        }
    }

    /// <summary>The subject, or null.</summary>
    public SubjectRouting? Get(string pseudonym) => _bySubject.TryGetValue(pseudonym, out var routing) ? routing : null;

    /// <summary>Counts the changes made (each <see cref="Set"/> and <see cref="Remove"/>), so a reload read before one of them is not applied over it.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Makes the directory hold exactly <paramref name="all"/> (every subject as the store had it) unless
    /// it changed since <paramref name="readAt"/> (its <see cref="Version"/> when the store was read: a
    /// newer change must not be undone); <paramref name="gone"/> are the pseudonyms forgotten (erased meanwhile).
    /// </summary>
    public bool TryReplaceAll(IReadOnlyList<SubjectRouting> all, long readAt, out IReadOnlyList<string> gone)
    {
        lock (_writes)
        {
            if (Version != readAt)
            {
                gone = [];
                return false;
            }

            var present = all.Select(r => r.Pseudonym).ToHashSet(StringComparer.Ordinal);
            gone = [.. _bySubject.Keys.Where(p => !present.Contains(p))];
            foreach (var pseudonym in gone)
            {
                Remove(pseudonym);
            }

            foreach (var routing in all)
            {
                Set(routing);
            }

            return true;
        }
    }

    /// <summary>Forgets a subject (erased).</summary>
    public void Remove(string pseudonym)
    {
        lock (_writes)
        {
            Interlocked.Increment(ref _version);
            if (_bySubject.TryRemove(pseudonym, out var old))
            {
                foreach (var device in old.Devices)
                {
                    _byDevice.TryRemove(new KeyValuePair<string, SubjectRouting>(device, old));
                }
            }
        }
    }
}
