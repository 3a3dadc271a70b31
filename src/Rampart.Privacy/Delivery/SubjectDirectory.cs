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

    /// <summary>Forgets a subject (erased).</summary>
    public void Remove(string pseudonym)
    {
        lock (_writes)
        {
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
