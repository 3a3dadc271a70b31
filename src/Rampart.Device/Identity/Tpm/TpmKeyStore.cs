using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Updates.Files;

namespace Rampart.Device.Identity.Tpm;

/// <summary>
/// A device key that lives in a TPM 2.0 and never leaves it. The key is created inside the TPM
/// (tpm2-tools, <see cref="Tpm2Tools"/>) as a persistent, fixedTPM/fixedParent ECDSA P-256 signing
/// key; its signatures — the EST CSR's proof of possession — are made by the TPM through the
/// OpenSSL 3 tpm2 provider (Debian <c>tpm2-openssl</c>), which .NET reaches with
/// <see cref="SafeEvpPKeyHandle.OpenKeyFromProvider"/>: the key is an <see cref="ECDsaOpenSsl"/>
/// whose private half OpenSSL only has as a TPM handle, so any export throws. The certificate is a
/// public file beside it. MQTT over mutual TLS with this key goes through the SDK's libssl client
/// (<see cref="Connection.DeviceTlsStack.OpenSsl"/>): .NET's <c>SslStream</c> cannot complete a
/// handshake with a provider key on OpenSSL 3.0, so the client hands libssl a key whose signatures
/// call back into this one (docs/keys.md). Why the provider and not tpm2-pkcs11: the CSR and the
/// handshake then both sign through one OpenSSL object, no PKCS#11 session to manage.
/// The store opens the key once (one provider context) and hands out duplicates of that handle.
/// Renewal (<see cref="INextKeyStore"/>) makes the next key at the second persistent handle and swaps the
/// two roles crash-safely (TpmKeyStore.Renewal.cs).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class TpmKeyStore : INextKeyStore, IDisposable
{
    /// <summary>The OpenSSL provider's name (tpm2-openssl installs it as <c>ossl-modules/tpm2.so</c>).</summary>
    public const string ProviderName = "tpm2";

    private static readonly Lock _environmentLock = new();
    private readonly TpmKeyStoreOptions _options;
    private readonly Tpm2Tools _tools;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger;
    private readonly string _statePath;
    private readonly string _pendingCertificatePath;
    private TpmKeyState _state;
    private SafeEvpPKeyHandle? _key;

    public TpmKeyStore(TpmKeyStoreOptions options)
    {
        // TPM 2.0 Part 2 §7.5: 0x81000000–0x817FFFFF are the owner's persistent objects, the range the owner-hierarchy EvictControl takes.
        foreach (var handle in (uint[])[options.PersistentHandle, options.NextPersistentHandle])
        {
            if (handle is < 0x81000000 or > 0x817FFFFF)
            {
                throw new ArgumentException($"{Tpm2Tools.Name(handle)} is not an owner persistent handle (0x81000000–0x817fffff)", nameof(options));
            }
        }

        if (options.PersistentHandle == options.NextPersistentHandle)
        {
            throw new ArgumentException("PersistentHandle and NextPersistentHandle must differ: a renewal holds both keys until the swap", nameof(options));
        }

        _options = options;
        _tools = new Tpm2Tools(options);
        _logger = options.Logger ?? NullLogger.Instance;
        CertificatePath = Path.Combine(options.CertificateDirectory, "device.crt");
        _pendingCertificatePath = Path.Combine(options.CertificateDirectory, "device.next.crt");
        _statePath = Path.Combine(options.CertificateDirectory, TpmKeyState.FileName);
        _state = TpmKeyState.Read(_statePath, options);
    }

    /// <summary>The certificate file.</summary>
    public string CertificatePath { get; }

    /// <summary>The current key's persistent handle, as tpm2-tools and the provider name it (<c>0x81000100</c>); after a renewal, the other configured handle.</summary>
    public string Handle
    {
        get
        {
            lock (_lock)
            {
                return Tpm2Tools.Name(_state.Current);
            }
        }
    }

    /// <summary>True when the TPM holds the device key.</summary>
    public Task<bool> HasKeyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_key is not null)
            {
                return Task.FromResult(true);
            }
        }

        return _tools.ExistsAsync(Handle, cancellationToken);
    }

    /// <summary>The key's TPM object attributes (<c>fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign</c>).</summary>
    public Task<string> KeyAttributesAsync(CancellationToken cancellationToken) => _tools.AttributesAsync(Handle, cancellationToken);

    /// <summary>
    /// Creates a new device key inside the TPM, replacing the one at the handle (enrollment, or a
    /// device whose certificate no longer matches), and opens it. The caller disposes it.
    /// </summary>
    public async Task<ECDsa> CreateKeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RecoverAsync(cancellationToken);
            ReleaseKey();
            await _tools.CreatePersistentSigningKeyAsync(Handle, cancellationToken);
            return OpenKey();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the device key from the TPM (and so the device's identity): both handles, and the record of which is current.</summary>
    public async Task DeleteKeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ReleaseKey();
            await _tools.EvictAsync(Tpm2Tools.Name(_options.PersistentHandle), cancellationToken);
            await _tools.EvictAsync(Tpm2Tools.Name(_options.NextPersistentHandle), cancellationToken);
            AtomicFile.Delete(_pendingCertificatePath);
            AtomicFile.Delete(_statePath);
            SetState(new TpmKeyState(_options.PersistentHandle));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Opens the TPM-held key: signing goes to the TPM; only the public half can be exported.</summary>
    public ECDsa OpenKey()
    {
        lock (_lock)
        {
            if (_key is null)
            {
                ApplyTcti();
                try
                {
                    _key = OpenProviderKey(Tpm2Tools.Name(_state.Current));
                }
                catch (CryptographicException exception)
                {
                    throw Unopenable(Tpm2Tools.Name(_state.Current), exception);
                }
            }

            // ECDsaOpenSsl takes its own reference: the caller's dispose leaves the store's handle open.
            return new ECDsaOpenSsl(_key);
        }
    }

    /// <summary>Closes the store's handle to the key (keys and certificates it handed out keep their own).</summary>
    public void Dispose()
    {
        ReleaseKey();
        _gate.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>Null when there is no certificate yet, or when the TPM no longer holds the key it certifies (the device re-enrolls).</remarks>
    public async Task<X509Certificate2?> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // A renewal a crash interrupted is finished or discarded first, so the pair below is whole.
            await RecoverAsync(cancellationToken);
            return await LoadCurrentAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<X509Certificate2?> LoadCurrentAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(CertificatePath))
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CertificatePath, cancellationToken));
        ECDsa key;
        try
        {
            key = OpenKey();
        }
        catch (TpmKeyStoreException)
        {
            // No key at the handle any more: the device has no identity and enrolls again. Anything else (TPM unreachable) is the caller's to see.
            if (await _tools.ExistsAsync(Handle, cancellationToken))
            {
                throw;
            }

            return null;
        }

        using var opened = key;
        return Certifies(certificate, opened) ? certificate.CopyWithPrivateKey(opened) : null;
    }

    /// <inheritdoc />
    /// <remarks>Only the certificate is written; it must certify the TPM's key (the key cannot be written anywhere).</remarks>
    public Task SaveAsync(X509Certificate2 certificateWithKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using (var key = OpenKey())
        {
            if (!Certifies(certificateWithKey, key))
            {
                throw new ArgumentException($"the certificate does not certify the TPM key at {Handle}; enroll with the key from CreateKeyAsync", nameof(certificateWithKey));
            }
        }

        Directory.CreateDirectory(_options.CertificateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.Write(CertificatePath, System.Text.Encoding.ASCII.GetBytes(certificateWithKey.ExportCertificatePem() + "\n"));
        return Task.CompletedTask;
    }

    private static SafeEvpPKeyHandle OpenProviderKey(string handle) => SafeEvpPKeyHandle.OpenKeyFromProvider(ProviderName, "handle:" + handle);

    private static TpmKeyStoreException Unopenable(string handle, CryptographicException exception) =>
        new($"the TPM key at {handle} cannot be opened through the OpenSSL '{ProviderName}' provider (is tpm2-openssl installed and the TPM reachable?): {exception.Message}", exception);

    private void SetState(TpmKeyState state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }

    private void ReleaseKey()
    {
        lock (_lock)
        {
            _key?.Dispose();
            _key = null;
        }
    }

    private static bool Certifies(X509Certificate2 certificate, ECDsa key)
    {
        using var inCertificate = certificate.GetECDsaPublicKey();
        return inCertificate is not null && inCertificate.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());
    }

    // The provider reads TPM2OPENSSL_TCTI with getenv; .NET's Environment.SetEnvironmentVariable does not reach the native environment on Unix.
    private void ApplyTcti()
    {
        if (_options.Tcti is not { } tcti)
        {
            return;
        }

        lock (_environmentLock)
        {
            if (SetEnvironment("TPM2OPENSSL_TCTI", tcti, 1) != 0)
            {
                throw new TpmKeyStoreException($"TPM2OPENSSL_TCTI could not be set (errno {Marshal.GetLastPInvokeError()})");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
