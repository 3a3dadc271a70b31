using Rampart.Pki.Authority;

namespace Rampart.Fleet.Certificates;

/// <summary>
/// Publishes the CRL (RFC 5280 §5): on every revocation, and whenever the newest is older than
/// <see cref="RefreshAfter"/>, so relying parties never hold an expired one.
/// </summary>
public sealed class CrlPublisher(CertificateAuthority authority, ICertificateStore certificates, ICrlStore crls, TimeProvider time)
{
    /// <summary>A CRL is valid this long (its nextUpdate).</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromHours(24);

    /// <summary>A CRL older than this is reissued.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromHours(12);

    private readonly SemaphoreSlim _publishing = new(1, 1);

    /// <summary>Signs and stores a new CRL listing every unexpired revoked certificate.</summary>
    public async Task<PublishedCrl> PublishAsync(CancellationToken cancellationToken)
    {
        await _publishing.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var previous = await crls.GetLatestAsync(cancellationToken);
            var number = (previous?.Number ?? 0) + 1;
            var revoked = await certificates.ListRevokedUnexpiredAsync(now, cancellationToken);
            var der = authority.BuildCrl(revoked, number, now, now + Validity);
            var crl = new PublishedCrl(number, now, now + Validity, der);
            await crls.AddAsync(crl, cancellationToken);
            return crl;
        }
        finally
        {
            _publishing.Release();
        }
    }

    /// <summary>
    /// Publishes a new CRL when a revocation is newer than the newest CRL: revocations commit before
    /// their CRL is signed, so a crash in between leaves the CRL behind until this runs (at start).
    /// </summary>
    public async Task PublishIfStaleAsync(CancellationToken cancellationToken)
    {
        var latest = await crls.GetLatestAsync(cancellationToken);
        var revoked = await certificates.ListRevokedUnexpiredAsync(time.GetUtcNow(), cancellationToken);
        if (revoked.Count > 0 && (latest is null || revoked[^1].RevokedAt >= latest.ThisUpdate))
        {
            await PublishAsync(cancellationToken);
        }
    }

    /// <summary>The newest CRL, publishing one first if there is none or it is due.</summary>
    public async Task<PublishedCrl> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var latest = await crls.GetLatestAsync(cancellationToken);
        return latest is not null && time.GetUtcNow() - latest.ThisUpdate < RefreshAfter
            ? latest
            : await PublishAsync(cancellationToken);
    }
}
