using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rampart.Pki.Tls;

namespace Rampart.Device.Connection.Tls;

/// <summary>
/// An OpenSSL <c>EVP_PKEY</c> for libssl whose ECDSA signatures are made by a .NET <see cref="ECDsa"/> —
/// the TPM-held key of <see cref="Identity.Tpm.TpmKeyStore"/>. Why not hand libssl the tpm2
/// provider's key itself: OpenSSL 3.0's TLS fetches the CertificateVerify signature from the library
/// context by property query, not from the key's provider, so the default provider's ECDSA runs on a
/// key it cannot see ("missing private key"; docs/keys.md has the evidence). A legacy <c>EC_KEY</c>
/// with its own <c>EC_KEY_METHOD</c> is a "foreign" key that every signature goes through: only the
/// public half is here, the <c>sign</c> callback asks the .NET key (which asks the TPM through the
/// provider, as the EST CSR's signature does) and hands back the DER signature.
/// </summary>
internal sealed unsafe class DelegatedEcKey : IDisposable
{
    private static readonly ConcurrentDictionary<nint, DelegatedEcKey> Keys = new();
    private static readonly nint Method = NewMethod();

    private readonly ECDsa _signer;
    private nint _ecKey;

    /// <param name="signer">Signs digests; its public key is the certificate's. Not disposed here.</param>
    public DelegatedEcKey(ECDsa signer)
    {
        _signer = signer;
        var spki = signer.ExportSubjectPublicKeyInfo();
        fixed (byte* start = spki)
        {
            var cursor = start;
            _ecKey = OpenSslNative.d2i_EC_PUBKEY(0, &cursor, spki.Length);
        }

        if (_ecKey == 0 || OpenSslNative.EC_KEY_set_method(_ecKey, Method) != 1)
        {
            Dispose();
            throw new CryptographicException("the device key's public half could not be given to OpenSSL: " + OpenSslNative.TakeError());
        }

        Keys[_ecKey] = this;
        Handle = OpenSslNative.EVP_PKEY_new();
        if (Handle == 0 || OpenSslNative.EVP_PKEY_set1_EC_KEY(Handle, _ecKey) != 1)
        {
            Dispose();
            throw new CryptographicException("EVP_PKEY_set1_EC_KEY failed: " + OpenSslNative.TakeError());
        }
    }

    /// <summary>The <c>EVP_PKEY*</c> (owned here; <c>SSL_CTX_use_PrivateKey</c> takes its own reference).</summary>
    public nint Handle { get; private set; }

    /// <summary>Why the last signature failed (the TPM gone, its authorisation refused), for the handshake's error.</summary>
    public string? Failure { get; private set; }

    public void Dispose()
    {
        if (Handle != 0)
        {
            OpenSslNative.EVP_PKEY_free(Handle);
            Handle = 0;
        }

        if (_ecKey != 0)
        {
            Keys.TryRemove(_ecKey, out _);
            OpenSslNative.EC_KEY_free(_ecKey);
            _ecKey = 0;
        }
    }

    private static nint NewMethod()
    {
        var method = OpenSslNative.EC_KEY_METHOD_new(OpenSslNative.EC_KEY_OpenSSL());
        nint sign, setup, signSig;
        OpenSslNative.EC_KEY_METHOD_get_sign(method, &sign, &setup, &signSig);
        delegate* unmanaged<int, byte*, int, byte*, uint*, nint, nint, nint, int> signDer = &Sign;
        delegate* unmanaged<byte*, int, nint, nint, nint, nint> signRaw = &SignSig;
        OpenSslNative.EC_KEY_METHOD_set_sign(method, (nint)signDer, setup, (nint)signRaw);
        return method;
    }

    // ECDSA_sign's callback (crypto/ec/ecdsa_sign.c): the DER ECDSA-Sig-Value (RFC 3279 §2.2.3) of dgst into sig, at most ECDSA_size bytes.
    [UnmanagedCallersOnly]
    private static int Sign(int type, byte* digest, int digestLength, byte* signature, uint* signatureLength, nint kinv, nint r, nint ecKey)
    {
        if (Keys.TryGetValue(ecKey, out var key) && key.TrySign(new ReadOnlySpan<byte>(digest, digestLength), DSASignatureFormat.Rfc3279DerSequence) is { } der
            && der.Length <= OpenSslNative.ECDSA_size(ecKey))
        {
            der.CopyTo(new Span<byte>(signature, der.Length));
            *signatureLength = (uint)der.Length;
            return 1;
        }

        *signatureLength = 0;
        return 0;
    }

    // ECDSA_do_sign's callback: the same signature as an ECDSA_SIG (r, s).
    [UnmanagedCallersOnly]
    private static nint SignSig(byte* digest, int digestLength, nint kinv, nint r, nint ecKey)
    {
        if (!Keys.TryGetValue(ecKey, out var key) || key.TrySign(new ReadOnlySpan<byte>(digest, digestLength), DSASignatureFormat.IeeeP1363FixedFieldConcatenation) is not { } raw)
        {
            return 0;
        }

        var half = raw.Length / 2;
        var result = OpenSslNative.ECDSA_SIG_new();
        fixed (byte* data = raw)
        {
            var rValue = OpenSslNative.BN_bin2bn(data, half, 0);
            var sValue = OpenSslNative.BN_bin2bn(data + half, half, 0);
            if (result != 0 && rValue != 0 && sValue != 0 && OpenSslNative.ECDSA_SIG_set0(result, rValue, sValue) == 1)
            {
                return result;
            }
        }

        return 0; // a half-built ECDSA_SIG leaks a few bytes on an allocation failure only
    }

    // Never lets an exception reach OpenSSL's stack (that would end the process): the reason is kept for the caller.
    private byte[]? TrySign(ReadOnlySpan<byte> digest, DSASignatureFormat format)
    {
        try
        {
            Failure = null;
            return _signer.SignHash(digest, format);
        }
        catch (Exception exception) when (exception is CryptographicException or ObjectDisposedException or InvalidOperationException)
        {
            Failure = "the device key did not sign the handshake: " + exception.Message;
            return null;
        }
    }
}
