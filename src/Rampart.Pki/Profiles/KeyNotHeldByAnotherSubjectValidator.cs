namespace Rampart.Pki.Profiles;

/// <summary>
/// One key belongs to one subject (threat model, "Identity"): a key already certified for another
/// device is a cloned or shared key. Renewal with the subject's own key stays allowed.
/// </summary>
/// <param name="findHolder">Which subject the key with this fingerprint was certified for, if any other than the requester.</param>
public sealed class KeyNotHeldByAnotherSubjectValidator(Func<string, string, CancellationToken, ValueTask<string?>> findHolder) : ICsrValidator
{
    /// <inheritdoc />
    public async ValueTask<CsrRefusal?> CheckAsync(CsrContext context, CancellationToken cancellationToken)
    {
        var holder = await findHolder(context.KeyFingerprint, context.SubjectId, cancellationToken);
        return holder is null
            ? null
            : CsrRefusal.KeyReuse($"this public key is already certified for another subject; every device needs its own key (fingerprint {context.KeyFingerprint})");
    }
}
