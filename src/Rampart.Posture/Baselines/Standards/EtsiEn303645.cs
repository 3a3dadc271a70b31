using Rampart.Posture.Baselines.Judges;

namespace Rampart.Posture.Baselines.Standards;

/// <summary>
/// ETSI EN 303 645 V2.1.1 (2020-06), "Cyber Security for Consumer Internet of Things: Baseline
/// Requirements": the provisions of clauses 5 and 6 by number, each with how Rampart judges it. Evidence
/// Rampart holds comes first; the model's declaration is the fallback; what neither shows is not assessable.
/// </summary>
public static class EtsiEn303645
{
    public const string Id = "etsi-en-303-645";

    private static Requirement R(string id, string title, IJudge judge) => new(Id, id, title, judge);

    public static IReadOnlyList<Requirement> Requirements { get; } =
    [
        // 5.1 No universal default passwords.
        R("5.1-1", "No universal default passwords", Judge.All(DeclaredCredentials.Instance, Judge.Either(UniqueIdentity.Instance, DeclaredCredentials.Instance))),
        R("5.1-2", "Pre-installed passwords unique per device", Judge.Either(UniqueIdentity.Instance, DeclaredCredentials.Instance)),
        R("5.1-3", "Authentication uses best-practice cryptography", KeyQuality.Instance),
        R("5.1-4", "A simple way to change the authentication value", Judge.Outside("the device's local user interface is not visible to Rampart")),
        R("5.1-5", "Brute-force attacks on authentication are impracticable", Judge.Outside("the device's own interfaces are not visible to Rampart (Rampart's enrollment backs off failed attempts itself)")),

        // 5.2 Implement a means to manage reports of vulnerabilities.
        R("5.2-1", "A vulnerability disclosure policy is published", Disclosure.Instance),

        // 5.3 Keep software updated.
        R("5.3-1", "All software components are securely updateable", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.Updatable)),
        R("5.3-2", "An update mechanism for the secure installation of updates", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.Signed)),
        R("5.3-7", "Best-practice cryptography for the secure update mechanism", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.Signed)),
        R("5.3-9", "Authenticity and integrity of updates are verified", Judge.Either(ObservedSecureUpdate.Instance, DeclaredUpdate.RollbackProtected)),
        R("5.3-13", "The defined support period is published", Lifecycle.Instance),
        R("5.3-16", "The model designation is clearly recognisable", ModelDesignation.Instance),

        // 5.4 Securely store sensitive security parameters.
        R("5.4-1", "Sensitive security parameters in persistent storage are stored securely", Declared.SecureCredentialStorage),
        R("5.4-2", "A hard-coded unique identity resists tampering", Declared.TamperProtection),
        R("5.4-3", "No hard-coded critical security parameters in device software", DeclaredCredentials.Instance),

        // 5.5 Communicate securely.
        R("5.5-1", "Best-practice cryptography to communicate securely", Judge.All(Judge.Either(Managed.SecureTransport, NetworkServices.Declared), NetworkServices.Declared)),
        R("5.5-5", "Security-relevant configuration changes only after authentication", Managed.AuthenticatedConfiguration),

        // 5.6 Minimize exposed attack surfaces.
        R("5.6-1", "Unused network and logical interfaces are disabled", Judge.Either(NetworkServices.Observed, NetworkServices.Declared)),
        R("5.6-4", "Physically accessible debug interfaces are disabled in software", Declared.DebugInterfacesDisabled),

        // 5.7 Ensure software integrity.
        R("5.7-1", "Software is verified using secure boot", Declared.SecureBoot),
        R("5.7-2", "An unauthorised change to the software is detected and reported", StateAwareness.Measured),

        // 5.8 Ensure that personal data is secure.
        R("5.8-1", "Personal data in transit is protected with best-practice cryptography", Judge.Either(Managed.SecureTransport, NetworkServices.Declared)),
        R("5.8-3", "External sensing capabilities are documented", DataInventory.Instance),

        // 5.10 Examine system telemetry data.
        R("5.10-1", "Telemetry is examined for security anomalies", Managed.TelemetryExamined),

        // 5.13 Validate input data.
        R("5.13-1", "Software validates input data", Judge.Outside("input validation inside the device's software is not visible to Rampart")),

        // 6 Data protection provisions for consumer IoT.
        R("6-1", "Consumers are told what personal data is processed", DataInventory.Instance),
    ];
}
