using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Events;

/// <summary>
/// Security events' addresses are personal data (issue 19 §1; GDPR recital 30). Every address an
/// event about a device carries (its source, and the address values of its details, see
/// <see cref="EventAddresses"/>) is stored sealed (AES-256-GCM binding the device and the field):
/// <list type="bullet">
/// <item>the device belongs to a subject: under the subject's data key, <c>sealed:v1:{pseudonym}:{base64}</c>;
/// the subject's export shows it opened, and erasure (the key destroyed) leaves it reading <see cref="Erased"/>;</item>
/// <item>the device is linked to no subject (yet): under the device's own key derived from the node's
/// (<see cref="Pseudonyms.UnlinkedDeviceKey"/>), <c>sealed:d1:{base64}</c>. Those events are the
/// device's history before anyone held it (an installer, a previous owner): once it is linked they
/// stay the device's, are withheld from the subject's export (<see cref="Withheld"/>; GDPR art. 15(4))
/// and are not erased with the subject; they expire with the security-events retention.</item>
/// </list>
/// Events of no device (unknown clients, attackers' addresses) stay in clear: they are no known
/// subject's and security monitoring needs them (recital 49), bounded by retention. This wraps the
/// node's store (every reader through it sees addresses opened) and seals the events the audit log
/// writes inside audited changes (<see cref="ISecurityEventSealer"/>).
/// </summary>
public sealed class SubjectSealedEventStore(ISecurityEventStore inner, SubjectDirectory subjects, SubjectKeys keys, Pseudonyms pseudonyms) : ISecurityEventStore, ISecurityEventSealer
{
    /// <summary>What a sealed address reads as once its subject was erased.</summary>
    public const string Erased = "(erased)";

    /// <summary>What a subject's export shows for an address recorded before the device was linked to that subject.</summary>
    public const string Withheld = "(withheld: recorded before the device was linked to this subject)";

    private const string Prefix = "sealed:v1:";
    private const string DevicePrefix = "sealed:d1:";
    private const int MaxDeviceKeys = 4_096;
    private readonly ConcurrentDictionary<string, byte[]> _deviceKeys = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
        await inner.AppendAsync(await SealAsync(securityEvent, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async Task AppendManyAsync(IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        var sealedEvents = new SecurityEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            sealedEvents[i] = await SealAsync(events[i], cancellationToken);
        }

        await inner.AppendManyAsync(sealedEvents, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAsync(string? deviceId, int limit, CancellationToken cancellationToken) =>
        await OpenAsync(await inner.ListAsync(deviceId, limit, cancellationToken), null, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) =>
        await OpenAsync(await inner.ListAfterAsync(afterId, deviceId, limit, cancellationToken), null, cancellationToken);

    /// <summary>The newest events of <paramref name="deviceId"/> as subject <paramref name="pseudonym"/>'s export shows them: only that subject's addresses opened.</summary>
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListForSubjectAsync(string deviceId, string pseudonym, int limit, CancellationToken cancellationToken) =>
        await OpenAsync(await inner.ListAsync(deviceId, limit, cancellationToken), pseudonym, cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.DeleteOlderThanAsync(cutoff, cancellationToken);

    /// <summary>True when <paramref name="value"/> is a sealed address as stored.</summary>
    public static bool IsSealed(string? value) =>
        value is not null && (value.StartsWith(Prefix, StringComparison.Ordinal) || value.StartsWith(DevicePrefix, StringComparison.Ordinal));

    /// <inheritdoc />
    public async ValueTask<SecurityEvent> SealAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        if (securityEvent.DeviceId is not { } device || !Carries(securityEvent))
        {
            return securityEvent;
        }

        var (prefix, dataKey, owner) = subjects.Find(device) is { } subject && await keys.GetAsync(subject.Pseudonym, cancellationToken) is { } subjectKey
            ? (Prefix + subject.Pseudonym + ":", subjectKey, subject.Pseudonym)
            : (DevicePrefix, DeviceKey(device), "device/" + device);
        string Seal(string value, string context) => IsSealed(value)
            ? value
            : prefix + Convert.ToBase64String(Envelope.SealWith(dataKey, Encoding.UTF8.GetBytes(value), owner, context));

        Dictionary<string, string>? details = null;
        foreach (var (key, value) in securityEvent.Details)
        {
            if (EventAddresses.IsAddress(key, value))
            {
                details ??= new Dictionary<string, string>(securityEvent.Details, StringComparer.Ordinal);
                details[key] = Seal(value, DetailContext(device, key));
            }
        }

        return securityEvent with
        {
            Source = securityEvent.Source is { } source ? Seal(source, SourceContext(device)) : null,
            Details = details ?? securityEvent.Details,
        };
    }

    private static bool Carries(SecurityEvent securityEvent) =>
        securityEvent.Source is not null || securityEvent.Details.Any(pair => EventAddresses.IsAddress(pair.Key, pair.Value));

    private static string SourceContext(string device) => "event-source/" + device;

    private static string DetailContext(string device, string key) => "event-detail/" + device + "/" + key;

    private byte[] DeviceKey(string device)
    {
        if (_deviceKeys.TryGetValue(device, out var cached))
        {
            return cached;
        }

        if (_deviceKeys.Count >= MaxDeviceKeys)
        {
            _deviceKeys.Clear();
        }

        return _deviceKeys.GetOrAdd(device, pseudonyms.UnlinkedDeviceKey(device));
    }

    private async Task<IReadOnlyList<StoredSecurityEvent>> OpenAsync(IReadOnlyList<StoredSecurityEvent> stored, string? onlyFor, CancellationToken cancellationToken)
    {
        if (!stored.Any(e => IsSealed(e.Event.Source) || e.Event.Details.Values.Any(IsSealed)))
        {
            return stored;
        }

        var opened = new StoredSecurityEvent[stored.Count];
        for (var i = 0; i < stored.Count; i++)
        {
            opened[i] = stored[i] with { Event = await OpenAsync(stored[i].Event, onlyFor, cancellationToken) };
        }

        return opened;
    }

    private async Task<SecurityEvent> OpenAsync(SecurityEvent securityEvent, string? onlyFor, CancellationToken cancellationToken)
    {
        Dictionary<string, string>? details = null;
        foreach (var (key, value) in securityEvent.Details)
        {
            if (IsSealed(value))
            {
                details ??= new Dictionary<string, string>(securityEvent.Details, StringComparer.Ordinal);
                details[key] = await OpenAsync(value, securityEvent.DeviceId, securityEvent.DeviceId is { } device ? DetailContext(device, key) : string.Empty, onlyFor, cancellationToken);
            }
        }

        var source = IsSealed(securityEvent.Source)
            ? await OpenAsync(securityEvent.Source!, securityEvent.DeviceId, securityEvent.DeviceId is { } owner ? SourceContext(owner) : string.Empty, onlyFor, cancellationToken)
            : securityEvent.Source;
        return securityEvent with { Source = source, Details = details ?? securityEvent.Details };
    }

    private async Task<string> OpenAsync(string value, string? device, string context, string? onlyFor, CancellationToken cancellationToken)
    {
        if (device is null)
        {
            return Erased;
        }

        byte[]? dataKey;
        string owner;
        string body;
        if (value.StartsWith(DevicePrefix, StringComparison.Ordinal))
        {
            if (onlyFor is not null)
            {
                return Withheld;
            }

            (dataKey, owner, body) = (DeviceKey(device), "device/" + device, value[DevicePrefix.Length..]);
        }
        else
        {
            var rest = value[Prefix.Length..];
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Erased;
            }

            owner = rest[..colon];
            if (onlyFor is not null && owner != onlyFor)
            {
                return Withheld;
            }

            (dataKey, body) = (await keys.GetAsync(owner, cancellationToken), rest[(colon + 1)..]);
        }

        if (dataKey is null)
        {
            return Erased;
        }

        try
        {
            return Encoding.UTF8.GetString(Envelope.OpenWith(dataKey, Convert.FromBase64String(body), owner, context));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            return Erased;
        }
    }
}
