namespace Rampart.Adapters.Credentials;

/// <summary>Kinds of device credential besides certificates.</summary>
public enum CredentialKind
{
    /// <summary>A raw pre-shared key for CoAP over DTLS (RFC 4279), the PSK identity being the device id.</summary>
    Psk,

    /// <summary>The secret of a device registered as legacy (the legacy adapter only).</summary>
    Legacy,
}
