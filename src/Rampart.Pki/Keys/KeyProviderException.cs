namespace Rampart.Pki.Keys;

/// <summary>A key provider cannot do what was asked, with a reason an operator can act on (wrong PIN, token missing, key missing).</summary>
public sealed class KeyProviderException : Exception
{
    public KeyProviderException()
    {
    }

    public KeyProviderException(string message)
        : base(message)
    {
    }

    public KeyProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
