using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Pki.Authority;
using Rampart.Pki.Profiles;

namespace Rampart.Pki.Tests;

/// <summary>A fresh CA and helpers to make requests as devices do.</summary>
internal static class TestCa
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static CertificateAuthority Create()
    {
        var (authority, rootKey) = CertificateAuthority.Create("Test", Now);
        rootKey.Dispose();
        return authority;
    }

    public static CertificateRequest Csr(AsymmetricAlgorithm key, string subject = "CN=ignored")
    {
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
        return request;
    }

    public static byte[] CsrDer(AsymmetricAlgorithm key, Action<CertificateRequest>? extend = null)
    {
        var request = Csr(key);
        extend?.Invoke(request);
        return request.CreateSigningRequest();
    }

    public static CertificateRequest Loaded(byte[] der) =>
        CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);

    public static Func<string, string, CancellationToken, ValueTask<string?>> NoKeyHolder => (_, _, _) => ValueTask.FromResult<string?>(null);

    public static async Task<X509Certificate2> IssueDeviceAsync(CertificateAuthority authority, string id, AsymmetricAlgorithm key, Action<CertificateRequest>? extend = null)
    {
        var profile = CertificateProfiles.Device(TimeSpan.FromDays(90), NoKeyHolder);
        var (template, refusal) = await profile.BuildAsync(new CsrContext(Loaded(CsrDer(key, extend)), id, Now), CancellationToken.None);
        Assert.Null(refusal);
        return authority.Issue(template!);
    }
}
