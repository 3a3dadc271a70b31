using System.Security.Cryptography.X509Certificates;
using Rampart.Testing;

namespace Rampart.Server.Tests.Keys;

/// <summary>A CRL checked by openssl against the issuer it should come from.</summary>
internal static class CrlAssertions
{
    /// <summary>openssl verifies <paramref name="der"/> against <paramref name="issuer"/> under <paramref name="root"/>.</summary>
    public static async Task VerifyAsync(TempDirectory temp, byte[] der, X509Certificate2 issuer, X509Certificate2 root, string name)
    {
        var (exit, output) = await OpensslAsync(temp, der, issuer, root, name);
        Assert.True(exit == 0, output);
        Assert.Contains("verify OK", output, StringComparison.Ordinal);
    }

    // openssl crl -CAfile checks the CRL's signature against the issuer it names (RFC 5280 §6.3.3 (f)).
    public static async Task<(int ExitCode, string Output)> OpensslAsync(TempDirectory temp, byte[] der, X509Certificate2 issuer, X509Certificate2 root, string name)
    {
        var crl = temp.Sub($"{name}.crl");
        var chain = temp.Sub($"{name}-chain.pem");
        await File.WriteAllBytesAsync(crl, der);
        await File.WriteAllTextAsync(chain, issuer.ExportCertificatePem() + "\n" + root.ExportCertificatePem() + "\n");
        return await RunningProcess.RunAsync("openssl", ["crl", "-inform", "DER", "-in", crl, "-CAfile", chain, "-noout"], TimeSpan.FromSeconds(30));
    }
}
