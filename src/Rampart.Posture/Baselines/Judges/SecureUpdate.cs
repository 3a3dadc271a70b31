using Rampart.Posture.Evidence;
using Rampart.Posture.Models;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>
/// Evidence: the device reported firmware through Rampart's update client, which installs only what
/// threshold-signed TUF metadata lists, with both ECDSA and LMS signatures and a security version not
/// lower than the installed one (docs/updates.md) — a secure update with rollback protection.
/// </summary>
public sealed class ObservedSecureUpdate : IJudge
{
    public static ObservedSecureUpdate Instance { get; } = new();

    public string Describes => "the device reports its firmware through Rampart's TUF-signed, rollback-protected update channel";

    public Judgement Judge(PostureSubject subject) => subject.Firmware is { } firmware
        ? Judgement.Pass(EvidenceSource.Rampart, $"runs {firmware.Version} (security version {firmware.SecurityVersion}) from Rampart's TUF-signed update channel, reported {firmware.Reported:yyyy-MM-dd}")
        : Judgement.NotAssessable("the device never reported firmware through Rampart's update channel");
}

/// <summary>Declaration: the update mechanism is at least <paramref name="minimum"/>.</summary>
public sealed class DeclaredUpdate(UpdateMechanism minimum) : IJudge
{
    public static DeclaredUpdate Updatable { get; } = new(UpdateMechanism.Manual);

    public static DeclaredUpdate Signed { get; } = new(UpdateMechanism.Signed);

    public static DeclaredUpdate RollbackProtected { get; } = new(UpdateMechanism.SignedWithRollbackProtection);

    public string Describes => $"the model declares an update mechanism of at least {DeclaredCredentials.Kebab(minimum)}";

    public Judgement Judge(PostureSubject subject) => subject.Model?.Capabilities.Update.Mechanism switch
    {
        null => Judgement.NotAssessable("no model declaration"),
        var mechanism when mechanism >= minimum => Judgement.Pass(EvidenceSource.Declaration, $"the model declares {DeclaredCredentials.Kebab(mechanism.Value)} updates"),
        var mechanism => Judgement.Fail(EvidenceSource.Declaration, $"the model declares {DeclaredCredentials.Kebab(mechanism.Value)} updates (needs {DeclaredCredentials.Kebab(minimum)})"),
    };
}
