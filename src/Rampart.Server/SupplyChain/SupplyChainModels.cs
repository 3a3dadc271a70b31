using Rampart.SupplyChain.Exposure;
using Rampart.SupplyChain.Policy;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.Server.SupplyChain;

/// <summary>One batch of <c>rampart vulns import</c>: normalised records (re-checked by the node); <c>Complete</c> on the last.</summary>
public sealed record ImportRequest(IReadOnlyList<Vulnerability> Records, bool Complete);

/// <summary>A line of exposure: the finding (with its VEX statement), where it is, how many devices run it, the first of them, and the newest release that fixes it.</summary>
public sealed record ExposureLine(string Scope, string? Model, FindingView Finding, int Devices, IReadOnlyList<string> DeviceIds, string? FixedBy);

/// <summary>Exposure of a device, model, release or the fleet: open lines first, known exploited (CISA KEV) first among them, then by severity and devices.</summary>
public sealed record ExposureResponse(string Of, int Open, int Closed, IReadOnlyList<ExposureLine> Lines)
{
    /// <summary>Most device ids listed per line (the count is always whole).</summary>
    public const int MaxDeviceIds = 100;

    public static ExposureResponse From(string of, IEnumerable<ExposureItem> items)
    {
        var lines = items.Select(i => new ExposureLine(i.Scope.Key, i.Model, FindingView.Of(i.Assessment), i.Devices.Count, i.Devices.Take(MaxDeviceIds).ToArray(), i.FixedBy))
            .OrderByDescending(l => l.Finding.Open).ThenByDescending(l => l.Finding.KnownExploited is not null).ThenByDescending(l => Severities.Parse(l.Finding.Severity)).ThenByDescending(l => l.Devices)
            .ThenBy(l => l.Finding.Vulnerability, StringComparer.Ordinal).ToArray();
        return new ExposureResponse(of, lines.Count(l => l.Finding.Open), lines.Count(l => !l.Finding.Open), lines);
    }
}

/// <summary>A stored SBOM's summary and components.</summary>
public sealed record SbomResponse(string Scope, string Sha256, string Description, string? Problem, IReadOnlyList<SbomComponent> Components);

/// <summary>The components a device runs, by where each comes from.</summary>
public sealed record DeviceComponentsResponse(string DeviceId, string? Release, IReadOnlyList<ScopedComponent> Components);

/// <summary>A component with the scope (release or model base SBOM) it comes from.</summary>
public sealed record ScopedComponent(string Scope, SbomComponent Component);

/// <summary>A device that runs a queried component.</summary>
public sealed record DeviceComponentResponse(string DeviceId, string? Release, string Scope, string Name, string? Version, string? Purl);

/// <summary>What a KEV catalog import did: the catalog, its entries, whether it changed anything, and how exposure changed.</summary>
public sealed record KnownExploitedImportOutcome(string CatalogVersion, string Released, int Entries, bool Changed, ExposureChange? Exposure);

/// <summary>An attestation challenge sent: the device and its nonce (the verdict arrives as a <c>supplychain.attestation.*</c> security event).</summary>
public sealed record AttestationChallengeResponse(string DeviceId, string Nonce);
