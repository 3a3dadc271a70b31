using Rampart.Fleet.Gateway;

namespace Rampart.Adapters.FrontDoors;

/// <summary>
/// A device as a front door authenticated it, captured once: the same <see cref="ClientIdentity"/>
/// the MQTT gateway builds (its permissions from the device's template), the credential that proved
/// it (a certificate serial, <c>psk:KEYID</c> or <c>legacy:KEYID</c>, in
/// <see cref="ClientIdentity.CertificateSerial"/> so certificate revocation matches only
/// certificates), the door, and whether the device is registered as legacy.
/// </summary>
public sealed record FrontDoorIdentity(ClientIdentity Identity, string FrontDoor, bool Legacy)
{
    /// <summary>The device id.</summary>
    public string DeviceId => Identity.Id;

    /// <summary>What proved the identity.</summary>
    public string Credential => Identity.CertificateSerial;
}

/// <summary>A refusal before an identity exists, with a stable code (as <c>gateway.refused</c> events name them).</summary>
public sealed record FrontDoorRefusal(string Code, string Message, FrontDoorRefusalKind Kind = FrontDoorRefusalKind.Unauthenticated);

/// <summary>Kinds of refusal, which each door turns into its status (HTTP 401/403/429, CoAP 4.01/4.03/4.29).</summary>
public enum FrontDoorRefusalKind
{
    /// <summary>No valid credential.</summary>
    Unauthenticated,

    /// <summary>Authenticated, but not allowed (wrong door, another device's resource).</summary>
    Forbidden,

    /// <summary>A rate limit (reconnects).</summary>
    Limited,

    /// <summary>The request itself is malformed.</summary>
    Invalid,
}

/// <summary>An identity or the reason there is none.</summary>
public readonly record struct FrontDoorResolution(FrontDoorIdentity? Identity, FrontDoorRefusal? Refusal)
{
    public static FrontDoorResolution Of(FrontDoorIdentity identity) => new(identity, null);

    public static FrontDoorResolution Refuse(string code, string message, FrontDoorRefusalKind kind = FrontDoorRefusalKind.Unauthenticated) =>
        new(null, new FrontDoorRefusal(code, message, kind));
}
