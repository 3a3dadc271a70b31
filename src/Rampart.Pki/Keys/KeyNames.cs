namespace Rampart.Pki.Keys;

/// <summary>The node's signing keys by role; a provider stores each under this name (file name stem or PKCS#11 label <c>rampart-…</c>).</summary>
public static class KeyNames
{
    /// <summary>The root CA key (P-384); needed only to create or re-issue the issuing CA.</summary>
    public const string RootCa = "ca-root";

    /// <summary>The issuing CA key (P-256): signs every device, service and server certificate and the CRL.</summary>
    public const string IssuingCa = "ca-issuing";

    /// <summary>The issuing CA key a rollover has generated and not yet installed as <see cref="IssuingCa"/>.</summary>
    public const string IssuingCaNext = "ca-issuing-next";

    /// <summary>The issuing CA key a rollover replaced: it signs only the CRL of its certificates during the overlap.</summary>
    public const string IssuingCaPrevious = "ca-issuing-previous";

    /// <summary>The audit checkpoint key (P-256).</summary>
    public const string Audit = "audit-signing";

    /// <summary>The audit key a rotation has generated and not yet promoted to <see cref="Audit"/>.</summary>
    public const string AuditNext = "audit-signing-next";

    /// <summary>The audit key a rotation has replaced, until it is destroyed.</summary>
    public const string AuditRetired = "audit-signing-retired";

    /// <summary>The firmware manifest ECDSA key (P-256), beside the LMS key that stays a file (stateful).</summary>
    public const string FirmwareEcdsa = "firmware-ecdsa";

    /// <summary>A TUF role's key (P-256): <c>tuf-root</c>, <c>tuf-targets</c>, <c>tuf-snapshot</c>, <c>tuf-timestamp</c>.</summary>
    public static string Tuf(string role) => "tuf-" + role;
}
