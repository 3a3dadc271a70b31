using System.Runtime.InteropServices;

namespace Rampart.Pki.Tls;

/// <summary>
/// The client side's and the hardware key's entry points (the device SDK's TLS client for a TPM-held
/// key): the client method, SNI, the server's untrusted chain, and a legacy <c>EC_KEY</c> whose
/// signing is a callback. Constants are OpenSSL 3.0's ssl.h, tls1.h, evp.h and obj_mac.h.
/// </summary>
internal static unsafe partial class OpenSslNative
{
    public const int CtrlSetTlsextHostname = 55;
    public const int CtrlSetClientSigalgsList = 102;
    public const int TlsextNametypeHostName = 0;
    public const int EvpPkeyEc = 408;

    [LibraryImport(Ssl)] public static partial nint TLS_client_method();
    [LibraryImport(Ssl)] public static partial long SSL_ctrl(nint ssl, int cmd, long larg, nint parg);

    [LibraryImport(Crypto)] public static partial nint d2i_X509(nint existing, byte** input, long length);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get0_untrusted(nint storeContext);
    [LibraryImport(Crypto)] public static partial int OPENSSL_sk_num(nint stack);
    [LibraryImport(Crypto)] public static partial nint OPENSSL_sk_value(nint stack, int index);

    // EC_KEY_METHOD is deprecated in OpenSSL 3.0 but exported; a key with its own method is "foreign"
    // (crypto/evp/p_lib.c detect_foreign_key) and so signs through the method, never through a provider.
    [LibraryImport(Crypto)] public static partial nint EC_KEY_OpenSSL();
    [LibraryImport(Crypto)] public static partial nint EC_KEY_METHOD_new(nint template);
    [LibraryImport(Crypto)] public static partial void EC_KEY_METHOD_free(nint method);
    [LibraryImport(Crypto)] public static partial void EC_KEY_METHOD_get_sign(nint method, nint* sign, nint* signSetup, nint* signSig);
    [LibraryImport(Crypto)] public static partial void EC_KEY_METHOD_set_sign(nint method, nint sign, nint signSetup, nint signSig);
    [LibraryImport(Crypto)] public static partial int EC_KEY_set_method(nint key, nint method);
    [LibraryImport(Crypto)] public static partial void EC_KEY_free(nint key);
    [LibraryImport(Crypto)] public static partial nint d2i_EC_PUBKEY(nint existing, byte** input, long length);
    [LibraryImport(Crypto)] public static partial int ECDSA_size(nint key);
    [LibraryImport(Crypto)] public static partial nint EVP_PKEY_new();
    [LibraryImport(Crypto)] public static partial int EVP_PKEY_set1_EC_KEY(nint pkey, nint key);
    [LibraryImport(Crypto)] public static partial nint ECDSA_SIG_new();
    [LibraryImport(Crypto)] public static partial int ECDSA_SIG_set0(nint signature, nint r, nint s);
    [LibraryImport(Crypto)] public static partial nint BN_bin2bn(byte* data, int length, nint existing);

    /// <summary>An <c>X509*</c> from DER (the caller frees it), or 0.</summary>
    public static nint X509FromDer(ReadOnlySpan<byte> der)
    {
        fixed (byte* start = der)
        {
            var cursor = start;
            return d2i_X509(0, &cursor, der.Length);
        }
    }
}
