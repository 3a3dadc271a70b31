using Rampart.Fleet.Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Server.Keys;

/// <summary>
/// The CRL of the issuing CA a rollover replaced (RFC 5280 §5: a CRL is signed by the issuer of the
/// certificates it lists), served during the overlap beside the current one. It mirrors the current
/// CRL — same number, thisUpdate, nextUpdate and the revocations it covers — signed by the previous
/// key; serials are random per certificate, so listing the new CA's revocations too names nothing of
/// the old CA's by mistake. Built once per current CRL.
/// </summary>
public sealed class PreviousIssuerCrl(CertificateAuthority authority, CrlPublisher publisher, ICertificateStore certificates)
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private (long Number, byte[] Der)? _built;

    /// <summary>The DER CRL, or null when no rollover overlap is under way.</summary>
    public async Task<byte[]?> GetAsync(CancellationToken cancellationToken)
    {
        if (authority.Previous is not { } previous)
        {
            return null;
        }

        var current = await publisher.GetCurrentAsync(cancellationToken);
        if (_built is { } ready && ready.Number == current.Number)
        {
            return ready.Der;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_built is { } again && again.Number == current.Number)
            {
                return again.Der;
            }

            var revoked = (await certificates.ListRevokedUnexpiredAsync(current.ThisUpdate, cancellationToken)).Where(entry => entry.RevokedAt <= current.ThisUpdate);
            var der = previous.BuildCrl(revoked, current.Number, current.ThisUpdate, current.NextUpdate);
            _built = (current.Number, der);
            return der;
        }
        finally
        {
            _building.Release();
        }
    }
}
