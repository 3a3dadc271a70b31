using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Pki.Authority;
using Rampart.Pki.Keys;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// Issuing CA rollover (<c>rampart ca rollover</c>, on a stopped node): a new issuing CA from the same
/// root, with a new key generated where the keys are held (file or token), becomes the one that signs;
/// the replaced one stays trusted for the certificates it issued until the overlap ends (its key signs
/// their CRL, <c>/pki/crl/previous</c>), and those certificates may renew at once onto the new CA.
/// Devices pin the root, so nothing changes for them but the issuer of their next certificate.
/// <list type="number">
/// <item>The new key (<c>ca-issuing-next</c>), its certificate (<c>ca-issuing-next.crt.pem</c>) and the overlap (<c>ca-rollover.json</c>) are written.</item>
/// <item>The current key and certificate become <c>ca-issuing-previous</c>; the new ones become <c>ca-issuing</c>.</item>
/// </list>
/// Step 2 is idempotent and runs at every load (<see cref="Complete"/>), so a crash anywhere leaves
/// either the old CA or the new one, never none.
/// </summary>
public static class CaRollover
{
    /// <summary>The next issuing CA's certificate while a rollover is under way.</summary>
    public static string NextCertificatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-issuing-next.crt.pem");

    /// <summary>The replaced issuing CA's certificate.</summary>
    public static string PreviousCertificatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-issuing-previous.crt.pem");

    private static string StatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-rollover.json");

    /// <summary>What a rollover did: both issuing CAs by subject and SHA-256, and the end of the overlap.</summary>
    public sealed record Result(string PreviousSubject, string PreviousSha256, string NewSubject, string NewSha256, DateTimeOffset PreviousTrustedUntil);

    /// <summary>The default overlap: the default device certificate validity, so every certificate of the old CA can run out or renew.</summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromDays(90);

    /// <summary>Rolls the issuing CA of the stopped node at <paramref name="dataDirectory"/> over and audits it (<c>ca.rolled-over</c>).</summary>
    public static async Task<Result> RolloverAsync(string dataDirectory, StorageSettings storage, string actor, TimeProvider time, TimeSpan overlap, CancellationToken cancellationToken)
    {
        await using var node = await OfflineNode.OpenAsync(dataDirectory, cancellationToken, time: time, storage: storage);
        using var directory = NodeDataDirectory.OpenExisting(Path.GetFullPath(dataDirectory));
        var result = Rollover(directory, node.Keys.KeyProvider, time, overlap);
        await node.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord(actor, "ca.rolled-over", "ca", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["previous"] = result.PreviousSubject,
            ["previous-sha256"] = result.PreviousSha256,
            ["new"] = result.NewSubject,
            ["new-sha256"] = result.NewSha256,
            ["previous-trusted-until"] = result.PreviousTrustedUntil.ToString("O", CultureInfo.InvariantCulture),
        }), cancellationToken);
        return result;
    }

    /// <summary>
    /// Rolls the issuing CA over; refuses while a previous rollover's overlap lasts and when the root
    /// key is not on the node (then the new issuing CA is made in the root ceremony and imported).
    /// </summary>
    public static Result Rollover(NodeDataDirectory directory, ISigningKeyProvider keys, TimeProvider time, TimeSpan overlap)
    {
        if (overlap <= TimeSpan.Zero)
        {
            throw new NodeStartupException("the overlap must be positive");
        }

        Complete(directory, keys);
        var now = time.GetUtcNow();
        if (File.Exists(PreviousCertificatePath(directory)) && ReadTrustedUntil(directory) is { } until && until > now)
        {
            throw new NodeStartupException($"the previous issuing CA is trusted until {until:u}; a new rollover waits until that overlap ends");
        }

        if (!keys.Exists(KeyNames.RootCa))
        {
            throw new NodeStartupException($"the root CA key is not on this node ({keys.Location}): a new issuing CA needs the root's signature (root ceremony)");
        }

        using var root = KeyFiles.LoadCertificate(directory.RootCertificatePath);
        using var current = KeyFiles.LoadCertificate(directory.IssuingCertificatePath);
        using var rootKey = keys.Open(KeyNames.RootCa);
        keys.Delete(KeyNames.IssuingCaNext);
        using var nextKey = keys.Generate(KeyNames.IssuingCaNext, ECCurve.NamedCurves.nistP256);
        var subject = $"CN={CommonName(root)} Issuing CA {now.UtcDateTime.ToString("yyyy-MM-dd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}, O=Rampart";
        using var next = CertificateAuthority.CreateIssuing(root, rootKey, nextKey, subject, now);

        // 1. Overlap and new certificate durable before anything moves (the certificate last: its presence starts step 2).
        var trustedUntil = Min(now + overlap, new DateTimeOffset(current.NotAfter.ToUniversalTime()));
        OwnerOnlyFile.WriteAtomically(StatePath(directory), Encoding.UTF8.GetBytes(new JsonObject
        {
            ["previousTrustedUntil"] = trustedUntil.ToString("O", CultureInfo.InvariantCulture),
            ["previous"] = current.Subject,
            ["current"] = next.Subject,
        }.ToJsonString()));
        OwnerOnlyFile.WriteAtomically(NextCertificatePath(directory), Encoding.ASCII.GetBytes(next.ExportCertificatePem()));

        // 2.
        Complete(directory, keys);
        return new Result(current.Subject, Sha256(current), next.Subject, Sha256(next), trustedUntil);
    }

    /// <summary>Finishes a rollover that step 1 completed: each move happens once, in an order a crash can resume.</summary>
    public static void Complete(NodeDataDirectory directory, ISigningKeyProvider keys)
    {
        var nextCertificate = NextCertificatePath(directory);
        if (!File.Exists(nextCertificate))
        {
            // A crash before the certificate was written: the generated key never issued anything.
            keys.Delete(KeyNames.IssuingCaNext);
            return;
        }

        if (keys.Exists(KeyNames.IssuingCaNext) && keys.Exists(KeyNames.IssuingCa))
        {
            keys.Delete(KeyNames.IssuingCaPrevious);
            keys.Rename(KeyNames.IssuingCa, KeyNames.IssuingCaPrevious);
        }

        if (File.Exists(directory.IssuingCertificatePath))
        {
            File.Move(directory.IssuingCertificatePath, PreviousCertificatePath(directory), overwrite: true);
        }

        if (keys.Exists(KeyNames.IssuingCaNext))
        {
            keys.Rename(KeyNames.IssuingCaNext, KeyNames.IssuingCa);
        }

        File.Move(nextCertificate, directory.IssuingCertificatePath, overwrite: false);
        Rampart.Updates.Files.AtomicFile.SyncDirectory(directory.Root);
    }

    /// <summary>The replaced issuing CA with its key while the overlap lasts at <paramref name="now"/>; null when there is none or it ended.</summary>
    public static (CertificateAuthority? Previous, DateTimeOffset? Until) LoadPrevious(NodeDataDirectory directory, ISigningKeyProvider keys, DateTimeOffset now)
    {
        var path = PreviousCertificatePath(directory);
        if (!File.Exists(path) || ReadTrustedUntil(directory) is not { } until || until <= now || !keys.Exists(KeyNames.IssuingCaPrevious))
        {
            return (null, null);
        }

        var root = KeyFiles.LoadCertificate(directory.RootCertificatePath);
        var certificate = KeyFiles.LoadCertificate(path);
        ECDsa? key = null;
        try
        {
            key = keys.Open(KeyNames.IssuingCaPrevious);
            return (new CertificateAuthority(root, certificate, key), until);
        }
        catch (Exception exception) when (exception is ArgumentException or KeyProviderException)
        {
            key?.Dispose();
            root.Dispose();
            certificate.Dispose();
            throw new NodeStartupException($"the previous issuing CA in {directory.Root} cannot be loaded: {exception.Message}", exception);
        }
    }

    private static DateTimeOffset? ReadTrustedUntil(NodeDataDirectory directory)
    {
        var path = StatePath(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = JsonNode.Parse(File.ReadAllBytes(path))?["previousTrustedUntil"]?.GetValue<string>();
            return text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            throw new NodeStartupException($"{path} cannot be read: {exception.Message}", exception);
        }
    }

    private static string CommonName(System.Security.Cryptography.X509Certificates.X509Certificate2 root)
    {
        var name = root.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
        return name.EndsWith(" Root CA", StringComparison.Ordinal) ? name[..^" Root CA".Length] : name;
    }

    private static string Sha256(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => NodeKeyring.Fingerprint(certificate);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
