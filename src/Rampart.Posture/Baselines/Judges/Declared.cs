using Rampart.Posture.Evidence;
using Rampart.Posture.Models;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Declaration: one yes/no capability of the model (true passes, false fails, undeclared is not assessable).</summary>
public sealed class Declared(string capability, Func<CapabilityProfile, bool?> read) : IJudge
{
    public static Declared SecureBoot { get; } = new("secureBoot", c => c.SecureBoot);

    public static Declared DebugInterfacesDisabled { get; } = new("debugInterfacesDisabled", c => c.DebugInterfacesDisabled);

    public static Declared SecureCredentialStorage { get; } = new("secureCredentialStorage", c => c.SecureCredentialStorage);

    public static Declared TamperProtection { get; } = new("tamperProtection", c => c.TamperProtection);

    public string Describes => $"the model declares {capability}: true";

    public Judgement Judge(PostureSubject subject) => subject.Model is not { } model ? Judgement.NotAssessable("no model declaration")
        : read(model.Capabilities) switch
        {
            true => Judgement.Pass(EvidenceSource.Declaration, $"the model declares {capability}: true"),
            false => Judgement.Fail(EvidenceSource.Declaration, $"the model declares {capability}: false"),
            null => Judgement.NotAssessable($"the model does not declare {capability}"),
        };
}
