using System.Security.Cryptography;
using System.Text;
using Rampart.Fleet.Monitoring;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Events;

/// <summary>
/// Security events' source addresses are personal data (issue 19 §1; GDPR recital 30): the source of
/// an event about a device that belongs to a subject is stored sealed with that subject's data key
/// (<c>sealed:v1:{pseudonym}:{base64}</c>, AES-256-GCM binding the pseudonym and the event's device),
/// so the database holds no household's IP in clear, the subject's export shows it opened, and
/// erasure (the key destroyed) leaves it unreadable: reads then show <see cref="Erased"/>. Events of
/// devices linked to no subject (unknown clients, attackers' addresses) stay in clear: they are no
/// known subject's, and security monitoring needs them (recital 49), bounded by retention.
/// Wraps the node's store; every reader through it sees sources opened.
/// </summary>
public sealed class SubjectSealedEventStore(ISecurityEventStore inner, SubjectDirectory subjects, SubjectKeys keys) : ISecurityEventStore
{
    /// <summary>What a sealed source reads as once its subject was erased.</summary>
    public const string Erased = "(erased)";

    private const string Prefix = "sealed:v1:";

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
        await OpenAsync(await inner.ListAsync(deviceId, limit, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSecurityEvent>> ListAfterAsync(long afterId, string? deviceId, int limit, CancellationToken cancellationToken) =>
        await OpenAsync(await inner.ListAfterAsync(afterId, deviceId, limit, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.DeleteOlderThanAsync(cutoff, cancellationToken);

    /// <summary>True when <paramref name="source"/> is a sealed source as stored.</summary>
    public static bool IsSealed(string? source) => source?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    private async Task<SecurityEvent> SealAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        if (securityEvent is not { Source: { } source, DeviceId: { } device } || IsSealed(source) || subjects.Find(device) is not { } subject
            || await keys.GetAsync(subject.Pseudonym, cancellationToken) is not { } dataKey)
        {
            return securityEvent;
        }

        var sealedSource = Envelope.SealWith(dataKey, Encoding.UTF8.GetBytes(source), subject.Pseudonym, "event-source/" + device);
        return securityEvent with { Source = Prefix + subject.Pseudonym + ":" + Convert.ToBase64String(sealedSource) };
    }

    private async Task<IReadOnlyList<StoredSecurityEvent>> OpenAsync(IReadOnlyList<StoredSecurityEvent> stored, CancellationToken cancellationToken)
    {
        if (!stored.Any(e => IsSealed(e.Event.Source)))
        {
            return stored;
        }

        var opened = new StoredSecurityEvent[stored.Count];
        for (var i = 0; i < stored.Count; i++)
        {
            var entry = stored[i];
            opened[i] = IsSealed(entry.Event.Source) ? entry with { Event = entry.Event with { Source = await OpenAsync(entry.Event, cancellationToken) } } : entry;
        }

        return opened;
    }

    private async Task<string> OpenAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        var rest = securityEvent.Source![Prefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || securityEvent.DeviceId is not { } device)
        {
            return Erased;
        }

        var pseudonym = rest[..colon];
        if (await keys.GetAsync(pseudonym, cancellationToken) is not { } dataKey)
        {
            return Erased;
        }

        try
        {
            return Encoding.UTF8.GetString(Envelope.OpenWith(dataKey, Convert.FromBase64String(rest[(colon + 1)..]), pseudonym, "event-source/" + device));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            return Erased;
        }
    }
}
