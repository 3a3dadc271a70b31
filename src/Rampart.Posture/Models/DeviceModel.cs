namespace Rampart.Posture.Models;

/// <summary>
/// A device model as procurement knows it: vendor, model, hardware revisions and the capability profile
/// the vendor declares (docs/posture.md). Devices name their model with the inventory's vendor and model.
/// </summary>
public sealed record DeviceModel(string Vendor, string Model, IReadOnlyList<string> HardwareRevisions, CapabilityProfile Capabilities)
{
    /// <summary>The model's key: <c>vendor/model</c>, as the inventory's vendor and model fields spell it.</summary>
    public string Key => KeyOf(Vendor, Model);

    /// <summary>The key of a device's vendor and model (a device without a vendor matches a model whose vendor is empty only).</summary>
    public static string KeyOf(string? vendor, string model) => (vendor ?? string.Empty) + "/" + model;
}

/// <summary>What the vendor declares about every device of the model (the schema's <c>capabilities</c>).</summary>
public sealed record CapabilityProfile(
    CredentialKind Credentials,
    UpdateDeclaration Update,
    bool? SecureBoot = null,
    bool? DebugInterfacesDisabled = null,
    bool? SecureCredentialStorage = null,
    bool? TamperProtection = null,
    string? VulnerabilityDisclosure = null,
    IReadOnlyList<string>? Protocols = null,
    IReadOnlyList<int>? ListeningPorts = null,
    IReadOnlyList<CollectedData>? DataCollected = null);

/// <summary>How devices of the model authenticate (ETSI EN 303 645 §5.1).</summary>
public enum CredentialKind
{
    PerDeviceCertificate,
    PerDevicePassword,
    UserDefinedPassword,
    UniversalDefaultPassword,
    None,
}

/// <summary>The update mechanism and the end of the support period.</summary>
public sealed record UpdateDeclaration(UpdateMechanism Mechanism, DateOnly? SupportUntil = null);

/// <summary>How software updates reach the device (ETSI EN 303 645 §5.3).</summary>
public enum UpdateMechanism
{
    None,
    Manual,
    Signed,
    SignedWithRollbackProtection,
}

/// <summary>One kind of data the device collects, and whether it is personal (ETSI EN 303 645 §6).</summary>
public sealed record CollectedData(string Name, bool Personal);
