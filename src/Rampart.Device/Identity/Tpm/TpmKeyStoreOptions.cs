namespace Rampart.Device.Identity.Tpm;

/// <summary>Where a <see cref="TpmKeyStore"/> keeps the device key (a persistent TPM handle) and the certificate (a file).</summary>
public sealed class TpmKeyStoreOptions
{
    /// <summary>Directory of <c>device.crt</c>; the certificate is public, the key never leaves the TPM.</summary>
    public required string CertificateDirectory { get; init; }

    /// <summary>
    /// The persistent handle of the device key. TPM 2.0 Part 2 §7.5: 0x81000000–0x817FFFFF are the
    /// owner's persistent objects; Rampart's default sits clear of the 0x81000001 SRK the TCG
    /// provisioning guidance reserves.
    /// </summary>
    public uint PersistentHandle { get; init; } = 0x81000100;

    /// <summary>
    /// The second persistent handle: a renewal makes the next key here, and after the swap the two handles
    /// trade roles (which one is current is recorded in <c>tpm-keys.state</c> beside the certificate). Same
    /// owner range as <see cref="PersistentHandle"/>; the store never evicts a handle other than these two.
    /// </summary>
    public uint NextPersistentHandle { get; init; } = 0x81000101;

    /// <summary>
    /// The TPM Command Transmission Interface, e.g. <c>device:/dev/tpmrm0</c> or
    /// <c>swtpm:host=127.0.0.1,port=2321</c>; null lets the TSS pick its default (the kernel's
    /// resource manager /dev/tpmrm0 first). One TPM per process: the OpenSSL tpm2 provider reads it
    /// from the process environment (<c>TPM2OPENSSL_TCTI</c>) when it is first loaded.
    /// </summary>
    public string? Tcti { get; init; }

    /// <summary>The tpm2-tools used to create the key (Debian <c>tpm2-tools</c>); they are looked up on PATH by default.</summary>
    public string ToolsDirectory { get; init; } = "";

    /// <summary>How long one tpm2-tools command may take.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the store logs renewals and the recovery of a half-done one (handles and thumbprints only); none by default.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }
}
