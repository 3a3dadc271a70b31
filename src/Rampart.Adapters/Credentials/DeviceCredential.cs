namespace Rampart.Adapters.Credentials;

/// <summary>
/// One issued device credential. <see cref="Verifier"/> is SHA-256 of the secret (unique across all
/// devices: no two ever share one); a PSK, which the DTLS handshake needs back, is also kept
/// <see cref="Sealed"/> with the node's secret box, bound to the device and key id. The secret itself
/// is never stored in clear and never logged: <see cref="KeyId"/> names it.
/// </summary>
public sealed record DeviceCredential(
    string DeviceId,
    CredentialKind Kind,
    string KeyId,
    byte[] Verifier,
    byte[]? Sealed,
    DateTimeOffset Issued,
    DateTimeOffset? Revoked = null)
{
    /// <summary>The credential as a front door names it: <c>psk:KEYID</c> or <c>legacy:KEYID</c>.</summary>
    public string Name => (Kind == CredentialKind.Psk ? "psk:" : "legacy:") + KeyId;
}
