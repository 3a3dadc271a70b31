using System.Collections.Concurrent;
using System.Globalization;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;

namespace Rampart.Privacy.Delivery;

/// <summary>
/// Records privacy refusals on the delivery path as security events without waiting (the gateway's
/// tap). A refusal is never silent: the first of a subject, service and kind in a window is recorded
/// at once, later ones in the window are counted and the count goes with the next one recorded. The
/// table of windows is bounded; past it every refusal is recorded (the tap bounds and counts those).
/// </summary>
public sealed class RefusalEvents(GatewayEventTap tap, TimeProvider time, TimeSpan window)
{
    /// <summary>Kind of a refused cross-border delivery (art. 44).</summary>
    public const string CrossBorder = "privacy.cross-border-refused";

    /// <summary>Kind of a delivery refused for want of consent or another lawful basis (art. 6).</summary>
    public const string NoConsent = "privacy.consent-refused";

    /// <summary>Kind of a payload the service's rules could not minimise.</summary>
    public const string MinimisationFailed = "privacy.minimisation-failed";

    private const int MaxWindows = 10_000;
    private readonly ConcurrentDictionary<(string Subject, string Service, string Kind), Window> _windows = new();
    private long _refused;

    /// <summary>Deliveries refused since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Records (or counts) one refusal.</summary>
    public void Record(string kind, SecuritySeverity severity, string deviceId, string subject, string service, Func<Dictionary<string, string>> details)
    {
        Interlocked.Increment(ref _refused);
        var now = time.GetUtcNow();
        long suppressed = 0;
        if (_windows.Count < MaxWindows || _windows.ContainsKey((subject, service, kind)))
        {
            var entry = _windows.GetOrAdd((subject, service, kind), _ => new Window());
            lock (entry)
            {
                if (entry.Opened is { } opened && now - opened < window)
                {
                    entry.Suppressed++;
                    return;
                }

                suppressed = entry.Suppressed;
                entry.Opened = now;
                entry.Suppressed = 0;
            }
        }

        var facts = details();
        facts["subject"] = subject;
        facts["service"] = service;
        if (suppressed > 0)
        {
            facts["refused-before-uncounted"] = suppressed.ToString(CultureInfo.InvariantCulture);
        }

        tap.Record(kind, severity, deviceId, null, facts);
    }

    private sealed class Window
    {
        public DateTimeOffset? Opened { get; set; }

        public long Suppressed { get; set; }
    }
}
