namespace Rampart.Pki.Profiles;

/// <summary>Only keys Rampart accepts: ECDSA P-256 or P-384, or RSA of at least 3072 bits (NIST SP 800-57 128-bit strength).</summary>
public sealed class AllowedKeyValidator : ICsrValidator
{
    /// <summary>The smallest RSA modulus accepted.</summary>
    public const int MinimumRsaBits = 3072;

    /// <inheritdoc />
    public ValueTask<CsrRefusal?> CheckAsync(CsrContext context, CancellationToken cancellationToken)
    {
        var key = context.Csr.PublicKey;
        using (var ec = key.GetECDsaPublicKey())
        {
            if (ec is not null)
            {
                var curve = ec.ExportParameters(false).Curve.Oid.Value;
                return ValueTask.FromResult<CsrRefusal?>(curve is "1.2.840.10045.3.1.7" or "1.3.132.0.34"
                    ? null
                    : CsrRefusal.WeakKey($"ECDSA curve {ec.ExportParameters(false).Curve.Oid.FriendlyName ?? curve} is not allowed; use P-256 or P-384"));
            }
        }

        using (var rsa = key.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return ValueTask.FromResult<CsrRefusal?>(rsa.KeySize >= MinimumRsaBits
                    ? null
                    : CsrRefusal.WeakKey($"RSA-{rsa.KeySize} is too weak; RSA keys must have at least {MinimumRsaBits} bits (or use ECDSA P-256)"));
            }
        }

        return ValueTask.FromResult<CsrRefusal?>(CsrRefusal.WeakKey($"key algorithm {key.Oid.FriendlyName ?? key.Oid.Value} is not allowed; use ECDSA P-256, P-384 or RSA-3072+"));
    }
}
