using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Pki.Authority;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// The one answer to "is this one of our live certificates", for every place a client presents one
/// (the MQTT gateway, EST renewal): 1. this CA recorded it, byte for byte (a serial alone is not
/// enough; only the CA writes records, so this also proves it chains to this CA), and its issuing CA is
/// trusted now (not one a rollover replaced whose overlap has ended); 2. it is not revoked; 3. now lies inside its validity; 4. it names its subject in
/// the SAN URI of its profile (device or service).
/// </summary>
public sealed class LiveCertificates(CertificateAuthority authority, ICertificateStore certificates, TimeProvider time)
{
    /// <summary>Checks <paramref name="presented"/>; the record when it is live, else a refusal with a stable code.</summary>
    /// <param name="chainVerified">True when the TLS handshake already verified the chain to this CA's issuing CA.</param>
    public async Task<LiveCertificate> CheckAsync(X509Certificate2 presented, bool chainVerified, CancellationToken cancellationToken)
    {
        // Only this CA writes certificate records, so the exact DER on record proves issuance without
        // building a chain on every connect or renewal; the chain is built only to name a refusal.
        var record = await certificates.GetAsync(presented.SerialNumber, cancellationToken);
        if (record is null || !record.Der.AsSpan().SequenceEqual(presented.RawData))
        {
            return !chainVerified && !CaChain.IsIssuedBy(presented, authority)
                ? LiveCertificate.Refused(LiveCertificateRefusal.UnknownCa, "the client certificate was not issued by this Rampart CA")
                : LiveCertificate.Refused(LiveCertificateRefusal.Unknown, "the client certificate is not one this CA recorded");
        }

        // The record proves this CA issued it, not that the issuing CA is still trusted: after a rollover's
        // overlap ends the previous CA's certificates are refused everywhere (MQTT checks the chain in the
        // handshake; EST renewal, DTLS, the device HTTPS API and the metrics scraper rely on this check).
        if (!authority.IsIssuedByTrustedIssuer(presented))
        {
            return LiveCertificate.Refused(LiveCertificateRefusal.UnknownCa, "the client certificate was issued by an issuing CA that is no longer trusted (a CA rollover's overlap has ended); enroll again", record);
        }

        if (record.Revoked)
        {
            return LiveCertificate.Refused(LiveCertificateRefusal.Revoked, $"certificate {record.Serial} is revoked", record);
        }

        var now = time.GetUtcNow();
        if (now < record.NotBefore || now >= record.NotAfter)
        {
            return LiveCertificate.Refused(LiveCertificateRefusal.Expired, $"certificate {record.Serial} is valid from {record.NotBefore:O} to {record.NotAfter:O}", record);
        }

        var prefix = record.Profile switch
        {
            "device" => CertificateProfiles.DeviceUriPrefix,
            "service" => CertificateProfiles.ServiceUriPrefix,
            _ => null,
        };
        return prefix is null || !UriNames(presented).Contains(prefix + record.Subject)
            ? LiveCertificate.Refused(LiveCertificateRefusal.WrongProfile, "the certificate is not a device or service identity", record)
            : new LiveCertificate(record, null, null);
    }

    private static HashSet<string> UriNames(X509Certificate2 certificate)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is not { } san)
        {
            return names;
        }

        // GeneralName uniformResourceIdentifier is [6] IA5String (RFC 5280 §4.2.1.6).
        var uri = new Asn1Tag(TagClass.ContextSpecific, 6);
        var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            if (reader.PeekTag().HasSameClassAndValue(uri))
            {
                names.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, uri));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return names;
    }
}

/// <summary>The outcome of <see cref="LiveCertificates.CheckAsync"/>: <see cref="Record"/> is live when <see cref="Refusal"/> is null (it may be set for a refused one too, for the message).</summary>
public sealed record LiveCertificate(IssuedCertificate? Record, LiveCertificateRefusal? Refusal, string? Message)
{
    public bool IsLive => Refusal is null;

    internal static LiveCertificate Refused(LiveCertificateRefusal refusal, string message, IssuedCertificate? record = null) => new(record, refusal, message);
}

/// <summary>Why a presented certificate is not live.</summary>
public enum LiveCertificateRefusal
{
    /// <summary>Not issued by this CA.</summary>
    UnknownCa,

    /// <summary>Not recorded by this CA (or different bytes under a recorded serial).</summary>
    Unknown,

    /// <summary>Revoked.</summary>
    Revoked,

    /// <summary>Outside its validity.</summary>
    Expired,

    /// <summary>Not a device or service identity certificate.</summary>
    WrongProfile,
}
