using System.Collections.Concurrent;

namespace Rampart.Fleet.Gateway;

/// <summary>
/// <see cref="IdentityLimits"/> by principal (<c>device:d1</c>), bounded: past
/// <see cref="GatewayOptions.MaxTrackedIdentities"/> entries, the least recently used tenth of those
/// with no connection is evicted (their buckets have refilled long since or they are idle). Only
/// identities that authenticated get an entry, so growing it needs valid certificates.
/// </summary>
public sealed class IdentityLimitCache(GatewayOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IdentityLimits> _byPrincipal = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LimitOverride> _overrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LimitOverride> _zoneLimits = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();
    private long _evicted;

    /// <summary>Identities tracked now.</summary>
    public int Count => _byPrincipal.Count;

    /// <summary>Entries evicted since the start.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>The limits of <paramref name="principal"/>, created on first use (for budgets; a connection uses <see cref="Open"/>).</summary>
    public IdentityLimits For(string principal, ClientKind kind)
    {
        if (_byPrincipal.TryGetValue(principal, out var limits))
        {
            return limits;
        }

        lock (_evictionLock)
        {
            limits = _byPrincipal.GetOrAdd(principal, _ => Create(principal, kind));
            EvictIfFull(keep: limits);
            return limits;
        }
    }

    /// <summary>
    /// The limits of <paramref name="principal"/> with one more connection counted (<see cref="IdentityLimits.Opened"/>;
    /// the caller calls <see cref="IdentityLimits.Closed"/> when it ends). Lookup and count happen under the
    /// lock eviction takes: an entry found here cannot be evicted before its connection is counted, which
    /// would lose the count and hand the identity's next connection fresh budgets.
    /// </summary>
    public IdentityLimits Open(string principal, ClientKind kind)
    {
        lock (_evictionLock)
        {
            var added = false;
            var limits = _byPrincipal.GetOrAdd(principal, _ =>
            {
                added = true;
                return Create(principal, kind);
            });
            limits.Opened();
            if (added)
            {
                EvictIfFull(keep: limits);
            }

            return limits;
        }
    }

    /// <summary>Identities whose limits are tightened now, with the override.</summary>
    public IReadOnlyDictionary<string, LimitOverride> Overrides => _overrides.ToDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Tightens (or, with null, restores) the limits of <paramref name="principal"/>: applied at once to
    /// its entry, whose live connections share it, and kept apart from the entries so that eviction
    /// of an idle identity does not lose it (a new entry starts tightened).
    /// </summary>
    public void SetOverride(string principal, LimitOverride? limits)
    {
        lock (_evictionLock)
        {
            if (limits is null)
            {
                _overrides.TryRemove(principal, out _);
            }
            else
            {
                _overrides[principal] = limits;
            }

            if (_byPrincipal.TryGetValue(principal, out var entry))
            {
                entry.Tighten(Effective(principal));
            }
        }
    }

    /// <summary>The zone's limits of <paramref name="principal"/> (issue 18), or null.</summary>
    public LimitOverride? ZoneLimitOf(string principal) => _zoneLimits.GetValueOrDefault(principal);

    /// <summary>
    /// Sets (or, with null, clears) the limits of the zone <paramref name="principal"/> is in (issue 18: a restricted
    /// zone's lower rate). Kept apart from <see cref="SetOverride"/>, which detection's response sets and lifts (and
    /// clears whenever its store no longer holds one), so neither undoes the other; the tighter of both applies.
    /// </summary>
    public void SetZoneLimit(string principal, LimitOverride? limits)
    {
        lock (_evictionLock)
        {
            if (limits is null)
            {
                _zoneLimits.TryRemove(principal, out _);
            }
            else
            {
                _zoneLimits[principal] = limits;
            }

            if (_byPrincipal.TryGetValue(principal, out var entry))
            {
                entry.Tighten(Effective(principal));
            }
        }
    }

    // The tighter of detection's override and the zone's limits, field by field.
    private LimitOverride? Effective(string principal)
    {
        var tightened = _overrides.GetValueOrDefault(principal);
        var zone = _zoneLimits.GetValueOrDefault(principal);
        return (tightened, zone) switch
        {
            (null, _) => zone,
            (_, null) => tightened,
            _ => new LimitOverride(
                Math.Min(tightened.MessagesPerSecond, zone.MessagesPerSecond), Math.Min(tightened.MessageBurst, zone.MessageBurst),
                Math.Min(tightened.BytesPerSecond, zone.BytesPerSecond), Math.Min(tightened.ByteBurst, zone.ByteBurst)),
        };
    }

    // Called under the eviction lock.
    private IdentityLimits Create(string principal, ClientKind kind)
    {
        var limits = new IdentityLimits(kind, options, time);
        if (Effective(principal) is { } tightened)
        {
            limits.Tighten(tightened);
        }

        return limits;
    }

    // Called under the eviction lock.
    private void EvictIfFull(IdentityLimits keep)
    {
        var excess = _byPrincipal.Count - options.MaxTrackedIdentities;
        if (excess <= 0)
        {
            return;
        }

        // Evict a tenth at once, so the scan is paid once per many additions, not on each.
        var batch = Math.Max(excess, options.MaxTrackedIdentities / 10);
        var idle = _byPrincipal
            .Where(pair => pair.Value != keep && pair.Value.Connections == 0)
            .OrderBy(pair => pair.Value.LastUsed)
            .Take(batch)
            .ToArray();
        foreach (var pair in idle)
        {
            if (_byPrincipal.TryRemove(pair))
            {
                Interlocked.Increment(ref _evicted);
            }
        }
    }
}
