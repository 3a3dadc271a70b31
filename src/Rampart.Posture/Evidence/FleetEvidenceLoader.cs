using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Updates;
using Rampart.Posture.Models;
using Rampart.Posture.Zones;

namespace Rampart.Posture.Evidence;

/// <summary>Reads <see cref="FleetEvidence"/>: the inventory a page at a time, everything else in one bulk read each.</summary>
public sealed class FleetEvidenceLoader(
    IDeviceStore devices,
    IRolloutStore rollouts,
    IUserStore users,
    IFleetEvidenceReader reader,
    IDeviceModelStore models,
    IPostureReportStore postures,
    IConfinementStore confinements,
    IVulnerabilityExposure exposure,
    TimeProvider time)
{
    private const int Page = DeviceQuery.MaxLimit;

    public async Task<FleetEvidence> LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var fleet = new List<Device>();
        string? after = null;
        IReadOnlyList<Device> page;
        do
        {
            page = await devices.ListAsync(new DeviceQuery(after, Page), cancellationToken);
            fleet.AddRange(page.Where(d => d.State != DeviceState.Retired));
            after = page.Count > 0 ? page[^1].Id : after;
        }
        while (page.Count == Page);

        var rows = await reader.DeviceCertificatesAsync(cancellationToken);
        var facts = rows.AsParallel().Select(Fact).ToArray();
        var certificates = facts.GroupBy(f => f.Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<CertificateFact>)g.OrderByDescending(f => f.NotBefore).ToArray(), StringComparer.Ordinal);
        var events = await reader.EventCountsAsync([.. FleetEvidence.CloneEvents, .. FleetEvidence.ConflictEvents], now.AddDays(-1), cancellationToken);

        // One key, several subjects (the CA refuses this; an imported or restored database may not) or a clone seen live.
        var shared = facts.GroupBy(f => f.KeyFingerprint, StringComparer.Ordinal).Where(g => g.Select(f => f.Subject).Distinct().Count() > 1)
            .SelectMany(g => g.Select(f => f.Subject))
            .Concat(events.Where(e => FleetEvidence.CloneEvents.Contains(e.Kind)).Select(e => e.DeviceId))
            .ToHashSet(StringComparer.Ordinal);

        var firmware = await rollouts.ReportedFirmwareAsync(null, cancellationToken);
        return new FleetEvidence
        {
            Now = now,
            Devices = fleet,
            Certificates = certificates,
            SharedKeys = shared,
            Postures = (await postures.ListAsync(cancellationToken)).ToDictionary(p => p.DeviceId, StringComparer.Ordinal),
            Firmware = firmware.ToDictionary(p => p.Key, p => new FirmwareFact(p.Value.Version, p.Value.SecurityVersion, p.Value.Reported), StringComparer.Ordinal),
            OpenAlerts = await reader.OpenAlertsAsync(cancellationToken),
            Models = (await models.ListAsync(cancellationToken)).ToDictionary(m => m.Model.Key, StringComparer.Ordinal),
            Confinements = (await confinements.ListAsync(cancellationToken)).ToDictionary(c => c.DeviceId, StringComparer.Ordinal),
            UnusedTokens = await reader.UnusedBootstrapTokensAsync(now, cancellationToken),
            Users = await users.ListAsync(cancellationToken),
            Events = events,
            Exposure = exposure,
        };
    }

    /// <summary>The facts of one certificate (its key's algorithm and size, its issuer), read from its DER.</summary>
    public static CertificateFact Fact(CertificateRow row)
    {
        var (algorithm, bits, issuer) = KeyOf(row.Der);
        return new CertificateFact(row.Serial, row.Subject, row.KeyFingerprint, row.NotBefore, row.NotAfter, row.Revoked, algorithm, bits, issuer);
    }

    /// <summary>The key algorithm, size and issuer of a DER certificate (<c>unknown</c> when it does not parse).</summary>
    public static (string Algorithm, int Bits, string Issuer) KeyOf(byte[] der)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return KeyOf(certificate);
        }
        catch (CryptographicException)
        {
            return ("unknown", 0, string.Empty);
        }
    }

    /// <summary>The key algorithm, size and issuer of a certificate.</summary>
    public static (string Algorithm, int Bits, string Issuer) KeyOf(X509Certificate2 certificate)
    {
        using var ec = certificate.GetECDsaPublicKey();
        if (ec is not null)
        {
            return ("ec", ec.KeySize, certificate.Issuer);
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null ? ("rsa", rsa.KeySize, certificate.Issuer) : (certificate.PublicKey.Oid.FriendlyName?.ToLowerInvariant() ?? "unknown", 0, certificate.Issuer);
    }
}
