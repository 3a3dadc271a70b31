using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Trust;

namespace Rampart.Pki.Authority;

/// <summary>
/// Rampart's two-level CA: a root (kept offline-capable: the node needs its key only to create or
/// re-issue the issuing CA) and an issuing CA that signs every device, service and server
/// certificate and the CRL.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>Root validity (ECDSA P-384).</summary>
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(20 * 365);

    /// <summary>Issuing CA validity (ECDSA P-256).</summary>
    public static readonly TimeSpan IssuingValidity = TimeSpan.FromDays(5 * 365);

    /// <summary>Wraps an existing pair; <paramref name="issuing"/> must carry its private key.</summary>
    public CertificateAuthority(X509Certificate2 root, X509Certificate2 issuing)
        : this(root, issuing, issuing.HasPrivateKey
            ? issuing.GetECDsaPrivateKey() ?? throw new ArgumentException("the issuing CA must hold an ECDSA key", nameof(issuing))
            : throw new ArgumentException("the issuing CA certificate must carry its private key", nameof(issuing)))
    {
    }

    /// <summary>
    /// Wraps an existing pair whose issuing key is held apart from the certificate — in a PKCS#11
    /// token (<see cref="Keys.Pkcs11.Pkcs11ECDsa"/>) or any other <see cref="ECDsa"/>. The authority takes
    /// ownership of <paramref name="issuingKey"/>, which must match the certificate's public key.
    /// </summary>
    public CertificateAuthority(X509Certificate2 root, X509Certificate2 issuing, ECDsa issuingKey)
    {
        CheckPair(root, issuing, issuingKey);
        Root = root;
        _state = new IssuingState(issuing, issuingKey, null, null);
    }

    private CertificateAuthority(X509Certificate2 root, IssuingState state)
    {
        Root = root;
        _state = state;
    }

    private static void CheckPair(X509Certificate2 root, X509Certificate2 issuing, ECDsa issuingKey)
    {
        if (!IsSignedBy(issuing, root))
        {
            throw new ArgumentException("the issuing CA was not issued by the given root", nameof(issuing));
        }

        using var issuingPublic = issuing.GetECDsaPublicKey();
        using var rootPublic = root.GetECDsaPublicKey();
        if (issuingPublic is null || rootPublic is null)
        {
            throw new ArgumentException("the CA certificates must hold ECDSA keys");
        }

        if (!issuingPublic.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(issuingKey.ExportSubjectPublicKeyInfo()))
        {
            throw new ArgumentException("the issuing key does not match the issuing CA certificate", nameof(issuingKey));
        }
    }

    // Everything a rollover replaces, swapped as one reference so a reader never sees the new issuing
    // CA with the old key, or the new CA without its predecessor still trusted.
    private volatile IssuingState _state;

    private sealed class IssuingState
    {
        public IssuingState(X509Certificate2 issuing, ECDsa key, CertificateAuthority? previous, DateTimeOffset? previousTrustedUntil, Lock? signing = null)
        {
            Issuing = issuing;
            Signing = signing ?? new Lock();

            // Kept once: extracting the private key (and recomputing the authority key identifier) per
            // issuance cost more than the signature itself.
            Key = key;
            Signer = X509SignatureGenerator.CreateForECDsa(key);
            AuthorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuing, true, false);
            Previous = previous;
            PreviousTrustedUntil = previousTrustedUntil;
            TrustedIssuers = previous is null ? [issuing] : [issuing, previous.Issuing];
            TrustedIssuerKeys = [.. TrustedIssuers.Select(IssuerKey.Of)];
        }

        public X509Certificate2 Issuing { get; }
        public ECDsa Key { get; }
        public X509SignatureGenerator Signer { get; }
        public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier { get; }
        public CertificateAuthority? Previous { get; }
        public DateTimeOffset? PreviousTrustedUntil { get; }
        public IReadOnlyList<X509Certificate2> TrustedIssuers { get; }
        public IReadOnlyList<IssuerKey> TrustedIssuerKeys { get; }

        // The ECDsa object is not documented as safe for concurrent use; a signature takes tens of microseconds.
        public Lock Signing { get; }
    }

    /// <summary>The trust anchor devices and clients pin.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The issuing CA, with its private key.</summary>
    public X509Certificate2 Issuing => _state.Issuing;

    /// <summary>
    /// The issuing CA a rollover replaced, with its key, while its overlap lasts: the certificates it
    /// issued stay trusted (<see cref="TrustedIssuers"/>) and it signs their CRL; it issues nothing new.
    /// </summary>
    public CertificateAuthority? Previous
    {
        get => _state.Previous;
        init => _state = new IssuingState(_state.Issuing, _state.Key, value, _state.PreviousTrustedUntil);
    }

    /// <summary>Until when <see cref="Previous"/> is trusted (the end of the rollover's overlap).</summary>
    public DateTimeOffset? PreviousTrustedUntil
    {
        get => _state.PreviousTrustedUntil;
        init => _state = new IssuingState(_state.Issuing, _state.Key, _state.Previous, value);
    }

    /// <summary>Counts the rollovers this instance went through while running (<see cref="RollOver"/>); a cache of anything derived from the issuing CAs compares it.</summary>
    public int Generation => Volatile.Read(ref _generation);

    private int _generation;

    /// <summary>The issuing CAs whose certificates are trusted now: the current one first, then the previous one during a rollover's overlap.</summary>
    public IReadOnlyList<X509Certificate2> TrustedIssuers => _state.TrustedIssuers;

    /// <summary>
    /// True when <paramref name="certificate"/> names a trusted issuing CA now (<see cref="TrustedIssuers"/>) as its
    /// issuer: the issuer name, and the authority key identifier against that CA's subject key identifier
    /// (RFC 5280 §4.2.1.1), so a CA with the same name but another key does not pass. Cheap — names, not a
    /// signature — for a caller that has proven issuance otherwise (a certificate this CA recorded byte for
    /// byte): it tells whether the CA that issued it is still trusted, e.g. after a rollover's overlap ended.
    /// </summary>
    public bool IsIssuedByTrustedIssuer(X509Certificate2 certificate)
    {
        var issuer = certificate.IssuerName.RawData;
        byte[]? authorityKeyId = null;
        var looked = false;
        foreach (var trusted in _state.TrustedIssuerKeys)
        {
            if (!issuer.AsSpan().SequenceEqual(trusted.Name))
            {
                continue;
            }

            if (trusted.KeyId is null)
            {
                return true;
            }

            if (!looked)
            {
                authorityKeyId = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier?.ToArray();
                looked = true;
            }

            if (authorityKeyId is null || authorityKeyId.AsSpan().SequenceEqual(trusted.KeyId))
            {
                return true;
            }
        }

        return false;
    }

    // A trusted issuing CA's name and subject key identifier (null when its certificate has none).
    private sealed record IssuerKey(byte[] Name, byte[]? KeyId)
    {
        public static IssuerKey Of(X509Certificate2 issuer) =>
            new(issuer.SubjectName.RawData, issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray());
    }

    /// <summary>True when <paramref name="certificate"/> names the previous issuing CA as its issuer (cheap: the name, not the chain; the caller has proven issuance otherwise).</summary>
    public bool NamesPreviousIssuer(X509Certificate2 certificate) =>
        Previous is { } previous && certificate.IssuerName.RawData.AsSpan().SequenceEqual(previous.Issuing.SubjectName.RawData);

    /// <summary>
    /// Switches a running authority to a new issuing CA from the same root (a live rollover): from the
    /// swap on, <paramref name="issuing"/> signs every certificate and the CRL, and the one it replaces
    /// becomes <see cref="Previous"/>, trusted for its certificates until <paramref name="previousTrustedUntil"/>.
    /// Refused while an earlier rollover's previous CA is still trusted at <paramref name="now"/> (its overlap must end first).
    /// Takes ownership of <paramref name="issuing"/> and <paramref name="issuingKey"/> once it succeeds.
    /// </summary>
    public void RollOver(X509Certificate2 issuing, ECDsa issuingKey, DateTimeOffset previousTrustedUntil, DateTimeOffset now)
    {
        CheckPair(Root, issuing, issuingKey);
        lock (_rolling)
        {
            // A previous CA whose overlap ended while the node ran is simply dropped (not disposed: a CRL
            // of its certificates may still be being signed with its key).
            var current = _state;
            if (current.Previous is not null && current.PreviousTrustedUntil > now)
            {
                throw new InvalidOperationException("the previous issuing CA is still trusted; a new rollover waits until that overlap ends");
            }

            // The replaced CA keeps its key (it signs its certificates' CRL) and its lock (an issuance begun
            // before the swap may still be signing with that key), under a root copy disposed with it.
            var previous = new CertificateAuthority(X509CertificateLoader.LoadCertificate(Root.RawData), new IssuingState(current.Issuing, current.Key, null, null, current.Signing));
            _state = new IssuingState(issuing, issuingKey, previous, previousTrustedUntil);
            Interlocked.Increment(ref _generation);
        }
    }

    private readonly Lock _rolling = new();

    /// <summary>
    /// Ends a rollover's overlap on a running authority once <see cref="PreviousTrustedUntil"/> has
    /// passed at <paramref name="now"/>: the previous CA is trusted for nothing from then on (as a start
    /// after the overlap would load it). Returns true when it ended now.
    /// </summary>
    public bool EndOverlapIfDue(DateTimeOffset now)
    {
        lock (_rolling)
        {
            var current = _state;
            if (current.Previous is null || current.PreviousTrustedUntil > now)
            {
                return false;
            }

            // Not disposed, as in RollOver: a CRL of its certificates may still be being signed.
            _state = new IssuingState(current.Issuing, current.Key, null, null, current.Signing);
            Interlocked.Increment(ref _generation);
            return true;
        }
    }

    /// <summary>The chain a relying party needs: issuing CA first, then the root (as EST cacerts returns it).</summary>
    public X509Certificate2Collection Chain => [X509CertificateLoader.LoadCertificate(Issuing.RawData), X509CertificateLoader.LoadCertificate(Root.RawData)];

    /// <summary>
    /// A new root and issuing CA. Returns the authority and the root key (the caller stores or
    /// exports it; the authority itself never needs it).
    /// </summary>
    public static (CertificateAuthority Authority, ECDsa RootKey) Create(string name, DateTimeOffset now)
    {
        var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (root, issuingPublic) = CreateCertificates(name, now, rootKey, issuingKey);
        using (issuingPublic)
        {
            return (new CertificateAuthority(root, issuingPublic.CopyWithPrivateKey(issuingKey), issuingKey), rootKey);
        }
    }

    /// <summary>
    /// A new root and issuing CA over keys generated elsewhere (a P-384 root and a P-256 issuing key,
    /// e.g. inside a PKCS#11 token): only signatures are asked of the keys, never their private halves.
    /// The authority takes ownership of <paramref name="issuingKey"/>; the caller keeps the root key.
    /// </summary>
    public static CertificateAuthority Create(string name, DateTimeOffset now, ECDsa rootKey, ECDsa issuingKey)
    {
        var (root, issuing) = CreateCertificates(name, now, rootKey, issuingKey);
        return new CertificateAuthority(root, issuing, issuingKey);
    }

    private static (X509Certificate2 Root, X509Certificate2 Issuing) CreateCertificates(string name, DateTimeOffset now, ECDsa rootKey, ECDsa issuingKey)
    {
        // Self-issued through a signature generator rather than CreateSelfSigned, which would copy the
        // private key into the certificate object (impossible for a key that cannot leave its token).
        var rootSigner = X509SignatureGenerator.CreateForECDsa(rootKey);
        var rootName = new X500DistinguishedName($"CN={name} Root CA, O=Rampart");
        var rootRequest = new CertificateRequest(rootName, rootKey, HashAlgorithmName.SHA384);
        AddCaExtensions(rootRequest, pathLength: 1);
        var root = rootRequest.Create(rootName, rootSigner, now.AddMinutes(-5), now + RootValidity, SerialNumbers.New());

        return (root, CreateIssuing(root, rootKey, issuingKey, $"CN={name} Issuing CA, O=Rampart", now));
    }

    /// <summary>
    /// A new issuing CA certificate (without its key) signed by the root: what a rollover installs
    /// beside the current one. Its subject should differ from the current issuing CA's, so relying
    /// parties tell the two apart by name as well as by key identifier.
    /// </summary>
    public static X509Certificate2 CreateIssuing(X509Certificate2 root, ECDsa rootKey, ECDsa issuingKey, string subject, DateTimeOffset now)
    {
        var issuingRequest = new CertificateRequest(subject, issuingKey, HashAlgorithmName.SHA384);
        AddCaExtensions(issuingRequest, pathLength: 0);
        issuingRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        return issuingRequest.Create(root.SubjectName, X509SignatureGenerator.CreateForECDsa(rootKey), now.AddMinutes(-5), now + IssuingValidity, SerialNumbers.New());
    }

    /// <summary>Signs a template the profiles built. The template's serial must be fresh.</summary>
    public X509Certificate2 Issue(CertificateTemplate template)
    {
        var request = new CertificateRequest(template.Subject, template.PublicKey, HashAlgorithmName.SHA256);
        foreach (var extension in template.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        var state = _state;
        request.CertificateExtensions.Add(state.AuthorityKeyIdentifier);
        var notAfter = template.NotAfter < state.Issuing.NotAfter ? template.NotAfter : new DateTimeOffset(state.Issuing.NotAfter.ToUniversalTime());

        // RFC 5280 §4.1.2.4: the issuer field is the issuing CA's subject, exactly. (The overload
        // taking the issuer certificate would re-check its CA constraints and extract its key each call.)
        lock (state.Signing)
        {
            return request.Create(state.Issuing.SubjectName, state.Signer, template.NotBefore, notAfter, template.SerialNumber);
        }
    }

    /// <summary>A CRL (RFC 5280 §5) over the given revocations, signed by the issuing CA.</summary>
    public byte[] BuildCrl(IEnumerable<RevokedSerial> revoked, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revoked)
        {
            builder.AddEntry(Convert.FromHexString(entry.SerialHex), entry.RevokedAt, entry.Reason);
        }

        // The generator overload, so the issuing key need not be attached to the certificate (it may be in a token).
        var state = _state;
        lock (state.Signing)
        {
            return builder.Build(state.Issuing.SubjectName, state.Signer, number, nextUpdate, HashAlgorithmName.SHA256, state.AuthorityKeyIdentifier, thisUpdate);
        }
    }

    // Names can collide; only the root's signature proves the link (RFC 5280 §6.1.3 (a)(1)).
    private static bool IsSignedBy(X509Certificate2 issuing, X509Certificate2 root) => FixedRootChain.Verify(issuing, root, []);

    private static void AddCaExtensions(CertificateRequest request, int pathLength)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var state = _state;
        state.Previous?.Dispose();
        state.Key.Dispose();
        Root.Dispose();
        state.Issuing.Dispose();
    }
}
