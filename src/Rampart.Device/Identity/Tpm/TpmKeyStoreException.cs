namespace Rampart.Device.Identity.Tpm;

/// <summary>The TPM could not do what the key store asked (unreachable, tools missing, a command refused), with the TPM's reason.</summary>
public sealed class TpmKeyStoreException : Exception
{
    public TpmKeyStoreException()
    {
    }

    public TpmKeyStoreException(string message)
        : base(message)
    {
    }

    public TpmKeyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
