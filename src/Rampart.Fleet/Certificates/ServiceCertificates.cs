using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Pki.Est;
using Rampart.Pki.Profiles;

namespace Rampart.Fleet.Certificates;

/// <summary>Certificates for backend services (the service profile), issued by an administrator from the service's CSR.</summary>
public sealed class ServiceCertificates(CertificateIssuer issuer, IAuditLog audit, IOptions<EnrollmentOptions> options)
{
    private readonly CertificateProfile _profile = CertificateProfiles.Service(options.Value.ServiceCertificateValidity, issuer.KeyHolderLookup("service"));

    /// <summary>Issues a certificate for service <paramref name="name"/> from a PEM or DER CSR.</summary>
    public async Task<X509Certificate2> IssueAsync(string name, byte[] csrDer, string actor, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValid(name))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"service name '{Echo.Of(name)}' must be {DeviceIds.Rule}");
        }

        var (request, malformed) = CsrReader.Read(csrDer);
        if (malformed is not null)
        {
            throw new FleetException(FleetErrorKind.Invalid, malformed.Message);
        }

        var (template, refusal) = await issuer.PrepareAsync(_profile, name, request!, cancellationToken);
        if (refusal is not null)
        {
            throw new FleetException(FleetErrorKind.Invalid, refusal.Message);
        }

        // Signed here, recorded with its audit entry in one transaction (or not at all: never handed out).
        var (record, certificate) = issuer.Sign(_profile, name, template!);
        try
        {
            await audit.CommitAsync(async (transaction, commit) =>
            {
                if (await issuer.TryRecordAsync(transaction, record, commit) is { } holder)
                {
                    throw new FleetException(FleetErrorKind.Invalid, $"this key is already certified for {holder}; every service needs its own key");
                }

                return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "certificate.issued", $"certificate/{record.Serial}", AuditOutcome.Success,
                    new Dictionary<string, string> { ["profile"] = "service", ["subject"] = name, ["key-sha256"] = record.KeyFingerprint }));
            }, cancellationToken);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }

        return certificate;
    }
}
