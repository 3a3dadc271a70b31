namespace Rampart.Adapters.Credentials;

/// <summary>A secret just issued: shown once to whoever provisions the device, never stored in clear.</summary>
/// <param name="Secret">43 base64url characters (32 random bytes, 256 bits). For a PSK, these characters are the DTLS key.</param>
/// <param name="Replaced">The key id this one replaced, if any.</param>
public sealed record IssuedSecret(string DeviceId, CredentialKind Kind, string KeyId, string Secret, string? Replaced)
{
    // Redacted: a record's generated ToString would print the secret into any log or exception message.
    public override string ToString() => $"IssuedSecret {{ DeviceId = {DeviceId}, Kind = {Kind}, KeyId = {KeyId} }}";
}
