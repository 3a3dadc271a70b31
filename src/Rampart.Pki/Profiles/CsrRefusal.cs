namespace Rampart.Pki.Profiles;

/// <summary>Why a request is not certified: a stable code for events and a message for the requester.</summary>
public sealed record CsrRefusal(string Code, string Message)
{
    /// <summary>Code of <see cref="KeyReuse"/>: a sign of a cloned or shared key.</summary>
    public const string KeyReuseCode = "key-reuse";

    /// <summary>The key is weaker than policy allows or of an unsupported type.</summary>
    public static CsrRefusal WeakKey(string message) => new("weak-key", message);

    /// <summary>The key was already certified for another subject: one key, one device.</summary>
    public static CsrRefusal KeyReuse(string message) => new(KeyReuseCode, message);

    /// <summary>The request is not a well-formed PKCS#10 request, or its signature does not verify.</summary>
    public static CsrRefusal Malformed(string message) => new("malformed-csr", message);
}
