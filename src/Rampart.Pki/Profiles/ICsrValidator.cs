namespace Rampart.Pki.Profiles;

/// <summary>One check a request must pass (cf. smallstep's sign options). Null means it passes.</summary>
public interface ICsrValidator
{
    /// <summary>Checks the request; returns why it fails, or null.</summary>
    ValueTask<CsrRefusal?> CheckAsync(CsrContext context, CancellationToken cancellationToken);
}
