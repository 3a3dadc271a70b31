using Rampart.Posture.Evidence;
using Rampart.Posture.Models;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>Declaration: how the model authenticates; a universal default password fails (ETSI EN 303 645 5.1-1).</summary>
public sealed class DeclaredCredentials : IJudge
{
    public static DeclaredCredentials Instance { get; } = new();

    public string Describes => "the model's declared credentials are not a universal default password";

    public Judgement Judge(PostureSubject subject) => subject.Model?.Capabilities.Credentials switch
    {
        null => Judgement.NotAssessable("no model declaration"),
        CredentialKind.UniversalDefaultPassword => Judgement.Fail(EvidenceSource.Declaration, "the model declares a universal default password"),
        var kind => Judgement.Pass(EvidenceSource.Declaration, $"the model declares {Kebab(kind.Value)} credentials"),
    };

    internal static string Kebab<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
