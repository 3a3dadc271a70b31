namespace Rampart.Pki.Keys;

/// <summary>The node's signing keys by role; a provider stores each under this name (file name stem or PKCS#11 label <c>rampart-…</c>).</summary>
public static class KeyNames
{
    /// <summary>The root CA key (P-384); needed only to create or re-issue the issuing CA.</summary>
    public const string RootCa = "ca-root";

    /// <summary>The issuing CA key (P-256): signs every device, service and server certificate and the CRL.</summary>
    public const string IssuingCa = "ca-issuing";

    /// <summary>The audit checkpoint key (P-256).</summary>
    public const string Audit = "audit-signing";
}
