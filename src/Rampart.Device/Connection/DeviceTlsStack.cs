namespace Rampart.Device.Connection;

/// <summary>Which TLS client a device connects with.</summary>
public enum DeviceTlsStack
{
    /// <summary>.NET's SslStream: any key .NET holds itself (a file key, a software key).</summary>
    SslStream,

    /// <summary>
    /// libssl through <see cref="Tls.OpenSslClientConnection"/>, with the key's signatures made by the
    /// key object itself: a key in a TPM, which SslStream cannot use on OpenSSL 3.0 (docs/keys.md).
    /// </summary>
    OpenSsl,
}
