using Rampart.Posture.Baselines.Judges;

namespace Rampart.Posture.Baselines.Standards;

/// <summary>OWASP Internet of Things Top 10 (2018), I1–I10: each a requirement that the weakness is absent.</summary>
public static class OwaspIotTop10
{
    public const string Id = "owasp-iot-top10";

    private static Requirement R(string id, string title, IJudge judge) => new(Id, id, title, judge);

    public static IReadOnlyList<Requirement> Requirements { get; } =
    [
        R("I1", "Weak, guessable, or hardcoded passwords", Judge.All(DeclaredCredentials.Instance, Judge.Either(UniqueIdentity.Instance, DeclaredCredentials.Instance))),
        R("I2", "Insecure network services", Judge.Either(NetworkServices.Observed, NetworkServices.Declared)),
        R("I3", "Insecure ecosystem interfaces", Judge.Outside("web, cloud and mobile interfaces outside Rampart are not visible to it")),
        R("I4", "Lack of secure update mechanism", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.RollbackProtected)),
        R("I5", "Use of insecure or outdated components", Judge.All(Lifecycle.Instance, KnownVulnerabilities.Instance)),
        R("I6", "Insufficient privacy protection", DataInventory.Instance),
        R("I7", "Insecure data transfer and storage", Judge.All(Judge.Either(Managed.SecureTransport, NetworkServices.Declared), Declared.SecureCredentialStorage)),
        R("I8", "Lack of device management", Managed.Inventoried),
        R("I9", "Insecure default settings", Judge.All(DeclaredCredentials.Instance, Declared.DebugInterfacesDisabled, Judge.Either(NetworkServices.Observed, NetworkServices.Declared))),
        R("I10", "Lack of physical hardening", Declared.TamperProtection),
    ];
}
