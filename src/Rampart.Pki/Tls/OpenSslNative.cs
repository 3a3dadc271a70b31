using System.Runtime.InteropServices;

namespace Rampart.Pki.Tls;

/// <summary>
/// The few libssl/libcrypto 3 entry points the MQTT listener's TLS adapter uses (the platform's
/// OpenSSL, as mosquitto uses it). Constants are from OpenSSL 3.0's ssl.h, tls1.h, bio.h and x509_vfy.h;
/// macros such as <c>SSL_CTX_set_mode</c> are their <c>SSL_CTX_ctrl</c> calls.
/// </summary>
internal static unsafe partial class OpenSslNative
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int SslErrorSsl = 1;
    public const int SslErrorWantRead = 2;
    public const int SslErrorWantWrite = 3;
    public const int SslErrorSyscall = 5;
    public const int SslErrorZeroReturn = 6;

    public const int VerifyPeer = 0x01;
    public const int VerifyFailIfNoPeerCert = 0x02;

    public const int Tls12Version = 0x0303;
    public const int Tls13Version = 0x0304;

    public const int CtrlMode = 33;
    public const int CtrlSetSessionCacheMode = 44;
    public const int CtrlSetMaxCertList = 51;
    public const int CtrlChainCert = 89;
    public const int CtrlSetGroupsList = 92;
    public const int CtrlSetMinProtoVersion = 123;
    public const int CtrlSetMaxProtoVersion = 124;

    public const long ModeAcceptMovingWriteBuffer = 0x02;
    public const long ModeReleaseBuffers = 0x10;

    public const ulong OpNoTicket = 1UL << 14;
    public const ulong OpNoCompression = 1UL << 17;
    public const ulong OpCipherServerPreference = 1UL << 22;
    public const ulong OpNoRenegotiation = 1UL << 30;

    public const int BioCtrlPending = 10;
    public const int BioCtrlSetMemEofReturn = 130;

    public const int TlsextErrOk = 0;
    public const int TlsextErrAlertFatal = 2;
    public const int NpnNegotiated = 1;

    public const int X509VErrUnableToGetIssuerCertLocally = 20;

    [LibraryImport(Ssl)] public static partial nint TLS_server_method();
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] public static partial long SSL_CTX_ctrl(nint ctx, int cmd, long larg, nint parg);
    [LibraryImport(Ssl)] public static partial ulong SSL_CTX_set_options(nint ctx, ulong options);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_set_cipher_list(nint ctx, string list);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] public static partial int SSL_CTX_set_ciphersuites(nint ctx, string list);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_certificate(nint ctx, nint x509);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_PrivateKey(nint ctx, nint pkey);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_check_private_key(nint ctx);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_verify(nint ctx, int mode, nint callback);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_cert_verify_callback(nint ctx, delegate* unmanaged<nint, nint, int> callback, nint arg);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_alpn_select_cb(nint ctx, delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int> callback, nint arg);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_set_num_tickets(nint ctx, nuint tickets);
    [LibraryImport(Ssl)] public static partial int SSL_select_next_proto(byte** output, byte* outputLength, byte* server, uint serverLength, byte* client, uint clientLength);

    [LibraryImport(Ssl)] public static partial nint SSL_new(nint ctx);
    [LibraryImport(Ssl)] public static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_bio(nint ssl, nint rbio, nint wbio);
    [LibraryImport(Ssl)] public static partial void SSL_set0_rbio(nint ssl, nint rbio);
    [LibraryImport(Ssl)] public static partial void SSL_set0_wbio(nint ssl, nint wbio);
    [LibraryImport(Ssl)] public static partial void SSL_set_accept_state(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_connect_state(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_do_handshake(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_read(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] public static partial int SSL_write(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] public static partial int SSL_get_error(nint ssl, int result);
    [LibraryImport(Ssl)] public static partial int SSL_shutdown(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get1_peer_certificate(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get_version(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_get_current_cipher(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_CIPHER_get_name(nint cipher);
    [LibraryImport(Ssl)] public static partial void SSL_get0_alpn_selected(nint ssl, byte** data, uint* length);

    [LibraryImport(Crypto)] public static partial nint BIO_s_mem();
    [LibraryImport(Crypto)] public static partial nint BIO_new(nint method);
    [LibraryImport(Crypto)] public static partial nint BIO_new_mem_buf(byte* buffer, int length);
    [LibraryImport(Crypto)] public static partial int BIO_free(nint bio);
    [LibraryImport(Crypto)] public static partial int BIO_read(nint bio, byte* buffer, int length);
    [LibraryImport(Crypto)] public static partial int BIO_write(nint bio, byte* buffer, int length);
    [LibraryImport(Crypto)] public static partial long BIO_ctrl(nint bio, int cmd, long larg, nint parg);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_X509(nint bio, nint x, nint callback, nint userData);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_PrivateKey(nint bio, nint x, nint callback, nint userData);
    [LibraryImport(Crypto)] public static partial void X509_free(nint x509);
    [LibraryImport(Crypto)] public static partial void EVP_PKEY_free(nint pkey);
    [LibraryImport(Crypto)] public static partial int i2d_X509(nint x509, byte** output);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get0_cert(nint storeContext);
    [LibraryImport(Crypto)] public static partial void X509_STORE_CTX_set_error(nint storeContext, int error);
    [LibraryImport(Crypto)] public static partial ulong ERR_get_error();
    [LibraryImport(Crypto)] public static partial void ERR_clear_error();
    [LibraryImport(Crypto)] public static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    /// <summary>The reason for the oldest error on this thread's OpenSSL error queue (which is then cleared), or null.</summary>
    public static string? TakeError()
    {
        var error = ERR_get_error();
        ERR_clear_error();
        if (error == 0)
        {
            return null;
        }

        var buffer = stackalloc byte[256];
        ERR_error_string_n(error, buffer, 256);
        return Marshal.PtrToStringUTF8((nint)buffer);
    }

    /// <summary>The DER encoding of an <c>X509*</c>.</summary>
    public static byte[] Der(nint x509)
    {
        var length = i2d_X509(x509, null);
        if (length <= 0)
        {
            return [];
        }

        var der = new byte[length];
        fixed (byte* start = der)
        {
            var cursor = start;
            i2d_X509(x509, &cursor);
        }

        return der;
    }
}
