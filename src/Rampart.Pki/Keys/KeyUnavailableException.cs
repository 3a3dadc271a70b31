using System.Security.Cryptography;

namespace Rampart.Pki.Keys;

/// <summary>
/// A signing key cannot be used right now — its PKCS#11 token was removed or stopped answering —
/// as opposed to a request that was wrong. A <see cref="CryptographicException"/>, so code that
/// handles failed signatures handles this one; the node answers it with 503 and recovers when the
/// token is back.
/// </summary>
public sealed class KeyUnavailableException : CryptographicException
{
    public KeyUnavailableException()
    {
    }

    public KeyUnavailableException(string message)
        : base(message)
    {
    }

    public KeyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
