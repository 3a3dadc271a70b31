using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>
/// An <see cref="ECDsa"/> whose private key stays in a PKCS#11 token: <see cref="SignHash(byte[])"/>
/// asks the token (<c>CKM_ECDSA</c>, which returns r || s, the IEEE P1363 form .NET expects here);
/// verification and the public key are local. Anything that would export the private key throws.
/// Usable wherever .NET takes an ECDsa: <see cref="System.Security.Cryptography.X509Certificates.X509SignatureGenerator.CreateForECDsa"/>,
/// audit checkpoints, signed manifests.
/// </summary>
public sealed class Pkcs11ECDsa : ECDsa
{
    private readonly Pkcs11KeyProvider _provider;
    private readonly ECDsa _public;

    internal Pkcs11ECDsa(Pkcs11KeyProvider provider, ECParameters publicParameters, string name)
    {
        _provider = provider;
        _public = Create(publicParameters);
        Name = name;
        KeySizeValue = _public.KeySize;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    /// <summary>The key's role name (its token label without the <c>rampart-</c> prefix).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override byte[] SignHash(byte[] hash)
    {
        try
        {
            // By name, not by object handle: a token that was removed and came back has new handles.
            return _provider.Sign(Name, hash);
        }
        catch (Pkcs11Exception exception)
        {
            throw new CryptographicException($"{_provider.Settings} could not sign with key '{Pkcs11KeyProvider.LabelPrefix}{Name}': {exception.RV}", exception);
        }
    }

    /// <inheritdoc />
    public override bool VerifyHash(byte[] hash, byte[] signature) => _public.VerifyHash(hash, signature);

    /// <inheritdoc />
    public override ECParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException($"the private key '{Name}' is held in {_provider.Settings} and cannot be exported") : _public.ExportParameters(false);

    /// <inheritdoc />
    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException($"the private key '{Name}' is held in {_provider.Settings} and cannot be exported") : _public.ExportExplicitParameters(false);

    /// <inheritdoc />
    public override void ImportParameters(ECParameters parameters) => throw new NotSupportedException("a PKCS#11 key is generated inside its token");

    /// <inheritdoc />
    public override void GenerateKey(ECCurve curve) => throw new NotSupportedException("a PKCS#11 key is generated inside its token");

    /// <inheritdoc />
    protected override byte[] HashData(byte[] data, int offset, int count, HashAlgorithmName hashAlgorithm) =>
        CryptographicOperations.HashData(hashAlgorithm, data.AsSpan(offset, count));

    /// <inheritdoc />
    protected override byte[] HashData(Stream data, HashAlgorithmName hashAlgorithm) => CryptographicOperations.HashData(hashAlgorithm, data);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _public.Dispose();
        }

        base.Dispose(disposing);
    }
}
