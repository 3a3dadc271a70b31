using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Errors;
using Rampart.SupplyChain;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// Exposure as detection alerts (issue 17 item 5, "and alerts"): a device newly exposed to an open
/// vulnerability at or above <see cref="SupplyChainOptions.AlertSeverity"/> gets an alert through the
/// detection alert path (<see cref="AlertService"/>: audited, published as <c>alert.opened</c>), one per
/// device and vulnerability (the detector is <c>supplychain.exposure/{id}</c>, and detection keeps one
/// active alert per device and detector); an alert whose device is no longer exposed is resolved.
/// Bounded per recompute (<see cref="SupplyChainOptions.MaxAlertsPerRecompute"/>): the rest follow at the
/// next recompute. The automatic response does not act on these (it acts on detection windows only).
/// </summary>
public sealed class ExposureAlerts(AlertService alerts, SupplyChainOptions options)
{
    /// <summary>The detector name prefix of exposure alerts.</summary>
    public const string DetectorPrefix = "supplychain.exposure/";

    /// <summary>The audit actor.</summary>
    public const string Actor = "supplychain";

    /// <summary>Raises alerts for newly exposed devices and resolves those no longer exposed; returns how many of each.</summary>
    public async Task<(int Opened, int Resolved)> SyncAsync(DeviceExposure exposure, TimeProvider time, CancellationToken cancellationToken)
    {
        var active = await ActiveAsync(cancellationToken);
        var budget = options.MaxAlertsPerRecompute;

        // Resolve first: an alert whose device's cohort no longer has the vulnerability open (or whose device is gone).
        var resolved = 0;
        foreach (var alert in active)
        {
            var vulnerability = alert.Detector[DetectorPrefix.Length..];
            if (exposure.Of(alert.DeviceId) is { } cohort && cohort.Open.TryGetValue(vulnerability, out var open) && Alerted(open))
            {
                continue;
            }

            if (resolved >= budget)
            {
                break;
            }

            try
            {
                await alerts.ResolveAsync(alert.Id, Actor, $"the device is no longer exposed to {vulnerability} (fixed, VEX statement or data changed)", cancellationToken);
                resolved++;
            }
            catch (FleetException exception) when (exception.Kind == FleetErrorKind.Conflict)
            {
                // A person resolved it meanwhile.
            }
        }

        var raised = new HashSet<(string, string)>(active.Select(a => (a.DeviceId, a.Detector)));
        var findings = new List<Finding>();
        var now = time.GetUtcNow();
        foreach (var cohort in exposure.Cohorts)
        {
            foreach (var vulnerability in cohort.Open.Values.Where(Alerted).OrderByDescending(v => v.KnownExploitedSince is not null).ThenByDescending(v => v.Severity)
                .ThenBy(v => v.Vulnerability, StringComparer.Ordinal))
            {
                foreach (var device in cohort.Devices)
                {
                    if (findings.Count < budget && raised.Add((device, DetectorPrefix + vulnerability.Vulnerability)))
                    {
                        findings.Add(FindingOf(device, vulnerability, now));
                    }
                }
            }
        }

        var opened = 0;
        foreach (var chunk in findings.Chunk(500))
        {
            opened += (await alerts.RaiseAsync(chunk, cancellationToken)).Count(c => c.Kind == AlertChangeKind.Opened);
        }

        return (opened, resolved);
    }

    // At or above the alert severity, or known exploited (CISA KEV) whatever its score: exploitation in the wild is what an alert is for.
    private bool Alerted(DeviceVulnerability vulnerability) => vulnerability.Severity >= options.AlertSeverity || vulnerability.KnownExploitedSince is not null;

    private static Finding FindingOf(string device, DeviceVulnerability vulnerability, DateTimeOffset now)
    {
        var evidence = new Dictionary<string, string>
        {
            ["vulnerability"] = vulnerability.Vulnerability,
            ["component"] = vulnerability.Component,
            ["scope"] = vulnerability.Scope,
            ["severity"] = vulnerability.Severity.Name(),
        };
        if (vulnerability.FixedBy is { } fixedBy)
        {
            evidence["fixed-by"] = fixedBy;
        }

        if (vulnerability.KnownExploitedSince is { } since)
        {
            evidence["known-exploited"] = since;
        }

        // Known exploited is critical: it is being used against devices like this one now.
        return new Finding(DetectorPrefix + vulnerability.Vulnerability, device,
            vulnerability.Severity == Severity.Critical || vulnerability.KnownExploitedSince is not null ? AlertSeverity.Critical : AlertSeverity.High,
            $"runs {vulnerability.Component} exposed to {vulnerability.Vulnerability} ({vulnerability.Severity.Name()}{(vulnerability.KnownExploitedSince is { } kev ? $", known exploited since {kev}" : string.Empty)}, {vulnerability.Scope})" +
            (vulnerability.FixedBy is { } release ? $"; fixed by release {release}" : "; no release fixes it yet"), evidence, now);
    }

    // Every active exposure alert: open, acknowledged and suppressed ones, paged newest first.
    private async Task<List<Alert>> ActiveAsync(CancellationToken cancellationToken)
    {
        var active = new List<Alert>();
        foreach (var state in new[] { AlertState.Open, AlertState.Acknowledged, AlertState.Suppressed })
        {
            long? before = null;
            while (true)
            {
                var page = await alerts.ListAsync(new AlertQuery(State: state, Before: before, Limit: AlertQuery.MaxLimit), cancellationToken);
                active.AddRange(page.Where(a => a.Detector.StartsWith(DetectorPrefix, StringComparison.Ordinal)));
                if (page.Count < AlertQuery.MaxLimit)
                {
                    break;
                }

                before = page[^1].Id;
            }
        }

        return active;
    }
}
