using System.Collections.Concurrent;
using System.Formats.Asn1;
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

    /// <summary>
    /// The key algorithm, size and issuer of a DER certificate (<c>unknown</c> when it does not parse), read with
    /// an ASN.1 reader (RFC 5280 §4.1: tbsCertificate's issuer and subjectPublicKeyInfo) without building an
    /// X509Certificate2 through the platform's crypto library: 50,000 of those were the fleet load's largest cost.
    /// The issuer's text comes from a cache: a fleet has a handful of issuers.
    /// </summary>
    public static (string Algorithm, int Bits, string Issuer) KeyOf(byte[] der)
    {
        try
        {
            var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = certificate.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadEncodedValue(); // [0] EXPLICIT version
            }

            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadEncodedValue(); // signature AlgorithmIdentifier
            var issuer = tbs.ReadEncodedValue();
            tbs.ReadEncodedValue(); // validity
            tbs.ReadEncodedValue(); // subject
            var spki = tbs.ReadSequence();
            var algorithm = spki.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : default;
            var key = spki.ReadBitString(out _);
            var (name, bits) = KeySize(oid, parameters.Span, key);
            return (name, bits, IssuerName(issuer.Span));
        }
        catch (Exception exception) when (exception is CryptographicException or AsnContentException)
        {
            return ("unknown", 0, string.Empty);
        }
    }

    private static readonly ConcurrentDictionary<string, string> Issuers = new(StringComparer.Ordinal);

    private static string IssuerName(ReadOnlySpan<byte> encoded)
    {
        var key = Convert.ToBase64String(encoded);
        if (Issuers.TryGetValue(key, out var name))
        {
            return name;
        }

        name = new X500DistinguishedName(encoded).Name;
        return Issuers.Count < 1024 ? Issuers.GetOrAdd(key, name) : name;
    }

    /// <summary>EC size from the named curve (RFC 5480 §2.1.1.1), RSA size from the modulus (RFC 8017 §A.1.1).</summary>
    private static (string Algorithm, int Bits) KeySize(string oid, ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> key)
    {
        switch (oid)
        {
            case "1.2.840.10045.2.1":
                var curve = new AsnReader(parameters.ToArray(), AsnEncodingRules.DER).ReadObjectIdentifier();
                return ("ec", CurveBits(curve));
            case "1.2.840.113549.1.1.1":
                var sequence = new AsnReader(key.ToArray(), AsnEncodingRules.DER).ReadSequence();
                return ("rsa", ModulusBits(sequence.ReadIntegerBytes().Span));
            case "1.3.101.112":
                return ("ed25519", 256);
            default:
                return (new Oid(oid).FriendlyName?.ToLowerInvariant() ?? "unknown", 0);
        }
    }

    private static int CurveBits(string curve) => curve switch
    {
        "1.2.840.10045.3.1.7" => 256, "1.3.132.0.34" => 384, "1.3.132.0.35" => 521, "1.3.132.0.33" => 224, "1.2.840.10045.3.1.1" => 192, _ => 0,
    };

    private static int ModulusBits(ReadOnlySpan<byte> modulus)
    {
        var significant = modulus.TrimStart((byte)0);
        return significant.Length == 0 ? 0 : ((significant.Length - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)significant[0]) + 24);
    }

    /// <summary>
    /// The key algorithm, size and issuer of a certificate, read from its SubjectPublicKeyInfo without building a
    /// key object (50,000 of those dominate a fleet audit): EC size from the named curve (RFC 5480 §2.1.1.1),
    /// RSA size from the modulus (RFC 8017 §A.1.1).
    /// </summary>
    public static (string Algorithm, int Bits, string Issuer) KeyOf(X509Certificate2 certificate)
    {
        var key = certificate.PublicKey;
        var (algorithm, bits) = KeySize(key.Oid.Value ?? string.Empty, key.EncodedParameters?.RawData ?? [], key.EncodedKeyValue.RawData);
        return (algorithm, bits, certificate.Issuer);
    }
}
