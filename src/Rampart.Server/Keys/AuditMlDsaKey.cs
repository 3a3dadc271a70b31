using System.Security.Cryptography;
using System.Text;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Updates.Firmware;

namespace Rampart.Server.Keys;

/// <summary>
/// The audit key's ML-DSA-65 companion (FIPS 204): a 32-byte seed in <c>keys/audit-mldsa65.key</c>
/// (owner-only, beside the ECDSA audit key file; a file even when the ECDSA key is in a token, since
/// PKCS#11 v2.40 has no ML-DSA), its public key beside the database as
/// <c>audit-signing-mldsa65.pub.pem</c> for <c>rampart audit verify</c>. A directory from before
/// gets its companion at the next start (stateless: nothing to keep in step). Rotated with the
/// ECDSA key by <see cref="AuditKeyRotator"/> (<c>audit-mldsa65-next.key</c> while it runs).
/// </summary>
public static class AuditMlDsaKey
{
    /// <summary>The PEM label of the public key file (the raw FIPS 204 encoding, 1,952 bytes).</summary>
    public const string PemLabel = "ML-DSA-65 PUBLIC KEY";

    /// <summary>The public key file beside the database.</summary>
    public static string PublicKeyPath(NodeDataDirectory directory) => Path.Combine(directory.Root, "audit-signing-mldsa65.pub.pem");

    /// <summary>The public key file beside <paramref name="ecdsaPublicKeyPath"/> (<c>X.pub.pem</c> → <c>X-mldsa65.pub.pem</c>).</summary>
    public static string PublicKeyPathBeside(string ecdsaPublicKeyPath) =>
        ecdsaPublicKeyPath.EndsWith(".pub.pem", StringComparison.Ordinal) ? ecdsaPublicKeyPath[..^".pub.pem".Length] + "-mldsa65.pub.pem" : ecdsaPublicKeyPath + "-mldsa65";

    private static string SeedPath(NodeDataDirectory directory) => Path.Combine(directory.KeysDirectory, "audit-mldsa65.key");

    private static string NextSeedPath(NodeDataDirectory directory) => Path.Combine(directory.KeysDirectory, "audit-mldsa65-next.key");

    /// <summary>Loads the companion, creating it when missing, and (re)writes its public key file.</summary>
    public static MlDsa65 LoadOrCreate(NodeDataDirectory directory, List<string> created)
    {
        var path = SeedPath(directory);
        MlDsa65 key;
        if (File.Exists(path))
        {
            key = Load(path);
        }
        else
        {
            key = MlDsa65.Create();
            Save(path, key);
            created.Add("audit-ml-dsa-key");
        }

        OwnerOnlyFile.WriteAtomically(PublicKeyPath(directory), Encoding.ASCII.GetBytes(PemEncoding.WriteString(PemLabel, key.PublicKey) + "\n"));
        return key;
    }

    /// <summary>The current companion, or null when the directory has none yet.</summary>
    public static MlDsa65? LoadExisting(NodeDataDirectory directory) => File.Exists(SeedPath(directory)) ? Load(SeedPath(directory)) : null;

    /// <summary>Generates the next companion (replacing an unused one a crash left) and returns it.</summary>
    public static MlDsa65 GenerateNext(NodeDataDirectory directory)
    {
        var key = MlDsa65.Create();
        Save(NextSeedPath(directory), key);
        return key;
    }

    /// <summary>The next companion, or null when there is none.</summary>
    public static MlDsa65? LoadNext(NodeDataDirectory directory) => File.Exists(NextSeedPath(directory)) ? Load(NextSeedPath(directory)) : null;

    /// <summary>Makes the next companion the current one (one rename; nothing when there is no next).</summary>
    public static void Promote(NodeDataDirectory directory)
    {
        if (File.Exists(NextSeedPath(directory)))
        {
            File.Move(NextSeedPath(directory), SeedPath(directory), overwrite: true);
            Rampart.Updates.Files.AtomicFile.SyncDirectory(directory.KeysDirectory);
        }
    }

    /// <summary>Removes an unused next companion.</summary>
    public static void DiscardNext(NodeDataDirectory directory) => File.Delete(NextSeedPath(directory));

    /// <summary>Reads a public key file written by <see cref="LoadOrCreate"/>.</summary>
    public static byte[] LoadPublic(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            var pem = PemEncoding.Find(text);
            if (!text[pem.Label].SequenceEqual(PemLabel))
            {
                throw new FormatException($"the PEM label is not '{PemLabel}'");
            }

            var key = Convert.FromBase64String(text[pem.Base64Data]);
            return key.Length == MlDsa65.PublicKeyLength ? key : throw new FormatException($"an ML-DSA-65 public key is {MlDsa65.PublicKeyLength} bytes, not {key.Length}");
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or FormatException)
        {
            throw new NodeStartupException($"{path} does not hold an ML-DSA-65 public key in PEM: {exception.Message}", exception);
        }
    }

    private static MlDsa65 Load(string path)
    {
        try
        {
            return MlDsa65.FromSeed(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or IOException)
        {
            throw new NodeStartupException($"{path} does not hold an ML-DSA-65 seed: {exception.Message}", exception);
        }
    }

    private static void Save(string path, MlDsa65 key)
    {
        var seed = key.ExportSeed();
        try
        {
            OwnerOnlyFile.WriteAtomically(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(seed) + "\n"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
