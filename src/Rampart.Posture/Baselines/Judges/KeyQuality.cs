using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Evidence: the device's live certificate key is best-practice cryptography (EC of 256 bits or more, RSA of 2048 or more; NIST SP 800-57 Part 1 §5.6.1).</summary>
public sealed class KeyQuality : IJudge
{
    public static KeyQuality Instance { get; } = new();

    public string Describes => "the live certificate's key is EC ≥ 256 bits or RSA ≥ 2048 bits";

    /// <summary>True for a key of acceptable strength (shared with the fleet audit's key-quality checks).</summary>
    public static bool IsStrong(string algorithm, int bits) => algorithm switch
    {
        "ec" => bits >= 256,
        "rsa" => bits >= 2048,
        "ed25519" or "ed448" => true,
        _ => false,
    };

    public Judgement Judge(PostureSubject subject) => subject.LiveCertificate is { } live
        ? IsStrong(live.KeyAlgorithm, live.KeyBits)
            ? Judgement.Pass(EvidenceSource.Rampart, $"certificate {live.Serial}: {live.KeyAlgorithm.ToUpperInvariant()} {live.KeyBits} bits")
            : Judgement.Fail(EvidenceSource.Rampart, $"certificate {live.Serial}: {live.KeyAlgorithm.ToUpperInvariant()} {live.KeyBits} bits is too weak")
        : Judgement.NotAssessable("no live certificate to judge");
}
