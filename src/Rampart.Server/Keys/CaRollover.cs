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
/// Issuing CA rollover (<c>rampart ca rollover</c>, on a stopped node or, through <see cref="LiveCaRollover"/>, a running one): a new issuing CA from the same
/// root, with a new key generated where the keys are held (file or token), becomes the one that signs;
/// the replaced one stays trusted for the certificates it issued until the overlap ends (its key signs
/// their CRL, <c>/pki/crl/previous</c>), and those certificates may renew at once onto the new CA.
/// Devices pin the root, so nothing changes for them but the issuer of their next certificate.
/// <list type="number">
/// <item>Prepared, not yet in force: the new key (<c>ca-issuing-next</c>), the overlap (<c>ca-rollover-next.json</c>) and the new certificate (<c>ca-issuing-next.crt.pem</c>, last) are written.</item>
/// <item>The commit: <c>ca.rolled-over</c> is appended through <see cref="IAuditLog.CommitAsync{T}"/>. This one database commit decides the swap.</item>
/// <item>The overlap becomes <c>ca-rollover.json</c>; the current key and certificate become <c>ca-issuing-previous</c>; the new ones become <c>ca-issuing</c>.</item>
/// </list>
/// Before the keys load, <see cref="ResolvePendingAsync"/> looks for the entry of a prepared rollover:
/// when it is committed, step 3 runs (idempotent, <see cref="Complete"/>); when it is not, the
/// prepared files are discarded. A crash anywhere therefore leaves the old CA and no entry, or the new
/// CA and its entry — never one without the other, and never no CA.
/// </summary>
public static class CaRollover
{
    /// <summary>The next issuing CA's certificate while a rollover is under way.</summary>
    public static string NextCertificatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-issuing-next.crt.pem");

    /// <summary>The replaced issuing CA's certificate.</summary>
    public static string PreviousCertificatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-issuing-previous.crt.pem");

    private static string StatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-rollover.json");

    private static string NextStatePath(NodeDataDirectory directory) => Path.Combine(directory.Root, "ca-rollover-next.json");

    /// <summary>The audit action of a rollover.</summary>
    public const string RolledOverAction = "ca.rolled-over";

    /// <summary>What a rollover did: both issuing CAs by subject and SHA-256, and the end of the overlap.</summary>
    public sealed record Result(string PreviousSubject, string PreviousSha256, string NewSubject, string NewSha256, DateTimeOffset PreviousTrustedUntil);

    /// <summary>The default overlap: the default device certificate validity, so every certificate of the old CA can run out or renew.</summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromDays(90);

    /// <summary>Rolls the issuing CA of the stopped node at <paramref name="dataDirectory"/> over and audits it (<c>ca.rolled-over</c>).</summary>
    public static async Task<Result> RolloverAsync(string dataDirectory, StorageSettings storage, string actor, TimeProvider time, TimeSpan overlap, CancellationToken cancellationToken)
    {
        await using var node = await OfflineNode.OpenAsync(dataDirectory, cancellationToken, time: time, storage: storage);
        using var directory = NodeDataDirectory.OpenExisting(Path.GetFullPath(dataDirectory));
        return await RolloverAsync(directory, node.Keys.KeyProvider, node.Services.GetRequiredService<IAuditStore>(),
            node.Services.GetRequiredService<IAuditLog>(), actor, time, overlap, cancellationToken);
    }

    /// <summary>
    /// The three steps over a data directory whose keys and audit log are open (by an offline command, or
    /// by the running node for a live rollover, <see cref="LiveCaRollover"/>); the files are in force when it returns.
    /// </summary>
    internal static async Task<Result> RolloverAsync(
        NodeDataDirectory directory, ISigningKeyProvider keys, IAuditStore audit, IAuditLog log, string actor, TimeProvider time, TimeSpan overlap, CancellationToken cancellationToken)
    {
        // 1. Prepared: nothing in force yet.
        var after = (await audit.GetLastEntryAsync(cancellationToken))?.Sequence ?? 0;
        var result = Prepare(directory, keys, time, overlap, after);
        CrashPoint.Reached("ca-rollover-prepared");

        // 2. The commit point: the entry is durable, so the swap stands (ResolvePendingAsync finishes it after a crash).
        var record = new AuditRecord(actor, RolledOverAction, "ca", AuditOutcome.Success, new Dictionary<string, string>
        {
            ["previous"] = result.PreviousSubject,
            ["previous-sha256"] = result.PreviousSha256,
            ["new"] = result.NewSubject,
            ["new-sha256"] = result.NewSha256,
            ["previous-trusted-until"] = result.PreviousTrustedUntil.ToString("O", CultureInfo.InvariantCulture),
        });
        await log.CommitAsync<Result>((_, _) => ValueTask.FromResult(AuditedOutcome<Result>.Done(result, record)), cancellationToken);
        CrashPoint.Reached("ca-rollover-committed");

        // 3.
        Complete(directory, keys);
        return result;
    }

    /// <summary>
    /// Decides a prepared rollover before the keys load: it stands when its <c>ca.rolled-over</c> entry
    /// is in the log (then <see cref="Complete"/> finishes it at load), and is discarded when it is not.
    /// </summary>
    public static async Task ResolvePendingAsync(NodeDataDirectory directory, IAuditStore audit, CancellationToken cancellationToken)
    {
        var nextCertificate = NextCertificatePath(directory);
        if (!File.Exists(nextCertificate) || !File.Exists(NextStatePath(directory)))
        {
            // Nothing prepared, or step 3 already under way (it moves the state first, after the commit).
            return;
        }

        var (after, sha256) = ReadPending(directory);
        await foreach (var entry in audit.ReadEntriesAsync(after + 1, cancellationToken))
        {
            if (entry.Action == RolledOverAction && RolledOverTo(entry) == sha256)
            {
                return;
            }
        }

        // Never committed: the new CA never signed anything. The certificate goes first (its presence marks the rollover).
        File.Delete(nextCertificate);
        File.Delete(NextStatePath(directory));
        Rampart.Updates.Files.AtomicFile.SyncDirectory(directory.Root);
        using var keys = KeyStorageSettings.Load(directory).Open(directory);
        keys.Delete(KeyNames.IssuingCaNext);
    }

    private static string? RolledOverTo(AuditEntry entry)
    {
        try
        {
            using var details = JsonDocument.Parse(entry.Details);
            return details.RootElement.TryGetProperty("new-sha256", out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (long After, string Sha256) ReadPending(NodeDataDirectory directory)
    {
        var path = NextStatePath(directory);
        try
        {
            var state = JsonNode.Parse(File.ReadAllBytes(path));
            return (state?["afterSequence"]?.GetValue<long>() ?? 0, state?["currentSha256"]?.GetValue<string>() ?? string.Empty);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            throw new NodeStartupException($"{path} cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Prepares a rollover (step 1); refuses while a previous rollover's overlap lasts and when the root
    /// key is not on the node (then the new issuing CA is made in the root ceremony and imported).
    /// <paramref name="afterSequence"/> is the log's last entry now: the commit's entry comes after it.
    /// </summary>
    private static Result Prepare(NodeDataDirectory directory, ISigningKeyProvider keys, TimeProvider time, TimeSpan overlap, long afterSequence)
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

        // Overlap and new certificate durable before the commit (the certificate last: its presence marks a prepared rollover).
        var trustedUntil = Min(now + overlap, new DateTimeOffset(current.NotAfter.ToUniversalTime()));
        OwnerOnlyFile.WriteAtomically(NextStatePath(directory), Encoding.UTF8.GetBytes(new JsonObject
        {
            ["previousTrustedUntil"] = trustedUntil.ToString("O", CultureInfo.InvariantCulture),
            ["previous"] = current.Subject,
            ["current"] = next.Subject,
            ["currentSha256"] = Sha256(next),
            ["afterSequence"] = afterSequence,
        }.ToJsonString()));
        OwnerOnlyFile.WriteAtomically(NextCertificatePath(directory), Encoding.ASCII.GetBytes(next.ExportCertificatePem()));
        return new Result(current.Subject, Sha256(current), next.Subject, Sha256(next), trustedUntil);
    }

    /// <summary>
    /// Finishes a committed rollover (step 3; <see cref="ResolvePendingAsync"/> has discarded one that
    /// was not): each move happens once, in an order a crash can resume.
    /// </summary>
    public static void Complete(NodeDataDirectory directory, ISigningKeyProvider keys)
    {
        var nextCertificate = NextCertificatePath(directory);
        if (!File.Exists(nextCertificate))
        {
            // A crash before the certificate was written: the generated key never issued anything.
            keys.Delete(KeyNames.IssuingCaNext);
            File.Delete(NextStatePath(directory));
            return;
        }

        if (File.Exists(NextStatePath(directory)))
        {
            File.Move(NextStatePath(directory), StatePath(directory), overwrite: true);
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
