using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>Valid from now (minus a small skew allowance) for a fixed period.</summary>
public sealed class FixedValidity(TimeSpan validity) : ICertificateModifier
{
    /// <inheritdoc />
    public void Apply(CertificateTemplate template, CsrContext context) => template.NotAfter = context.Now + validity;
}
