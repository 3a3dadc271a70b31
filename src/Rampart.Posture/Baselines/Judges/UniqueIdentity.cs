using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>
/// Evidence: the device holds a live certificate from Rampart's CA whose key no other subject holds
/// (the CA refuses a key twice; a key seen from two places at once fails this).
/// </summary>
public sealed class UniqueIdentity : IJudge
{
    public static UniqueIdentity Instance { get; } = new();

    public string Describes => "a live per-device certificate from Rampart's CA whose key no other device holds";

    public Judgement Judge(PostureSubject subject)
    {
        if (subject.Device is null)
        {
            return Judgement.NotAssessable("no device: identity is proven at enrollment");
        }

        if (subject.KeyShared)
        {
            return Judgement.Fail(EvidenceSource.Rampart, "the device's key or certificate was used from several places at once (possible clone)");
        }

        return subject.LiveCertificate is { } live
            ? Judgement.Pass(EvidenceSource.Rampart, $"certificate {live.Serial} from Rampart's CA, its own key (sha256 {live.KeyFingerprint[..Math.Min(16, live.KeyFingerprint.Length)]}…)")
            : subject.Certificates.Count == 0
                ? Judgement.NotAssessable("not enrolled: no certificate yet")
                : Judgement.Fail(EvidenceSource.Rampart, "no live certificate: every one is revoked or expired");
    }
}
