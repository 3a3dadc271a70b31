using Rampart.Fleet.Inventory;
using Rampart.Posture.Evidence;
using Rampart.Posture.Models;

namespace Rampart.Posture.Tests;

/// <summary>Subjects for the baseline tests: one that satisfies every requirement, one that fails each, one with no evidence.</summary>
internal static class Subjects
{
    public static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static DeviceModel GoodModel { get; } = new("Acme", "Cam-2", ["r1"], new CapabilityProfile(
        CredentialKind.PerDeviceCertificate, new UpdateDeclaration(UpdateMechanism.SignedWithRollbackProtection, new DateOnly(2031, 12, 31)),
        SecureBoot: true, DebugInterfacesDisabled: true, SecureCredentialStorage: true, TamperProtection: true,
        VulnerabilityDisclosure: "https://acme.example/security", Protocols: ["mqtts", "https"], ListeningPorts: [443],
        DataCollected: [new CollectedData("video", true)]));

    public static DeviceModel BadModel { get; } = new("Cheapo", "Plug-1", [], new CapabilityProfile(
        CredentialKind.UniversalDefaultPassword, new UpdateDeclaration(UpdateMechanism.None, new DateOnly(2020, 1, 1)),
        SecureBoot: false, DebugInterfacesDisabled: false, SecureCredentialStorage: false, TamperProtection: false,
        VulnerabilityDisclosure: null, Protocols: ["telnet", "http"], ListeningPorts: [23], DataCollected: null));

    public static Fleet.Inventory.Device Device(string id, DeviceState state = DeviceState.Active, DateOnly? supportUntil = null, string? model = "Cam-2", string? vendor = "Acme", string[]? tags = null) =>
        new(id, model, vendor, null, "1.0", null, null, tags ?? [], state, supportUntil, Now.AddDays(-400), Now.AddDays(-400));

    public static CertificateFact Certificate(string subject, string serial = "0A", bool revoked = false, int bits = 256, string algorithm = "ec", int ageDays = 10, int validDays = 365, string key = "ab12") =>
        new(serial, subject, key + subject, Now.AddDays(-ageDays), Now.AddDays(-ageDays + validDays), revoked, algorithm, bits, "CN=Rampart Issuing CA");

    /// <summary>Every piece of evidence positive.</summary>
    public static PostureSubject Good() => new(
        Device("good", supportUntil: new DateOnly(2030, 1, 1)), GoodModel, [Certificate("good")], false,
        new ReportedPosture("good", "1.0", "sha256:abcdef0123456789", [443], Now.AddMinutes(-5)),
        new FirmwareFact("1.0", 3, Now.AddDays(-2)), new ExposureAnswer(true, 0, 0, 0, "test data"), 0, false, Now);

    /// <summary>Every piece of evidence negative.</summary>
    public static PostureSubject Bad() => new(
        Device("bad", supportUntil: new DateOnly(2021, 1, 1), model: "Plug-1", vendor: "Cheapo"), BadModel,
        [Certificate("bad", bits: 1024, algorithm: "rsa")], true,
        new ReportedPosture("bad", "0.9", null, [23, 8081], Now.AddMinutes(-5)),
        null, new ExposureAnswer(true, 2, 1, 0, "test data"), 3, false, Now);

    /// <summary>Negative where <see cref="Bad"/> cannot be: no model named, no live certificate, a stale posture report.</summary>
    public static PostureSubject Unmanaged() => Bad() with
    {
        Device = Device("unmanaged", model: null, vendor: null),
        Model = null,
        Certificates = [Certificate("unmanaged", revoked: true)],
        Posture = new ReportedPosture("unmanaged", "0.9", null, [23], Now.AddDays(-30)),
    };

    /// <summary>Nothing known: a registered device naming a model nobody registered.</summary>
    public static PostureSubject Unknown() => new(
        Device("unknown", DeviceState.Registered, model: "Mystery", vendor: "Nobody"), null, [], false, null, null, ExposureAnswer.NoSource, 0, false, Now);
}
