using Rampart.Pki.Authority;

namespace Rampart.Pki.Profiles;

/// <summary>A named composition of validators and modifiers: what a kind of certificate requires and says.</summary>
public sealed class CertificateProfile(string name, IReadOnlyList<ICsrValidator> validators, IReadOnlyList<ICertificateModifier> modifiers)
{
    /// <summary><c>device</c>, <c>service</c> or <c>server</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Runs every validator (stopping at the first refusal), then every modifier on a fresh template.</summary>
    public async ValueTask<(CertificateTemplate? Template, CsrRefusal? Refusal)> BuildAsync(CsrContext context, CancellationToken cancellationToken)
    {
        foreach (var validator in validators)
        {
            if (await validator.CheckAsync(context, cancellationToken) is { } refusal)
            {
                return (null, refusal);
            }
        }

        var template = new CertificateTemplate(context.Csr.PublicKey, context.Now);
        foreach (var modifier in modifiers)
        {
            modifier.Apply(template, context);
        }

        return (template, null);
    }
}
