using Rampart.Posture.Baselines.Judges;

namespace Rampart.Posture.Baselines.Standards;

/// <summary>NIST IR 8259A (May 2020), "IoT Device Cybersecurity Capability Core Baseline": its six device capabilities.</summary>
public static class NistIr8259a
{
    public const string Id = "nistir-8259a";

    private static Requirement R(string id, string title, IJudge judge) => new(Id, id, title, judge);

    public static IReadOnlyList<Requirement> Requirements { get; } =
    [
        R("device-identification", "The device can be uniquely identified logically and physically", Judge.Either(UniqueIdentity.Instance, DeclaredCredentials.Instance)),
        R("device-configuration", "The device's configuration can be changed by authorised entities only", Managed.AuthenticatedConfiguration),
        R("data-protection", "The device protects the data it stores and transmits", Judge.All(Judge.Either(Managed.SecureTransport, NetworkServices.Declared), Declared.SecureCredentialStorage)),
        R("logical-access-to-interfaces", "The device restricts logical access to its local and network interfaces", Judge.All(Judge.Either(NetworkServices.Observed, NetworkServices.Declared), Declared.DebugInterfacesDisabled)),
        R("software-update", "The device's software can be updated by authorised entities through a secure mechanism", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.Signed)),
        R("cybersecurity-state-awareness", "The device can report its cybersecurity state", StateAwareness.Reports),
    ];
}
