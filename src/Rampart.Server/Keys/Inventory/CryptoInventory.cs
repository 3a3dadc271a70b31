using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Rampart.Pki.Keys;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys.Inventory;

/// <summary>
/// Every key and certificate class of a data directory, read offline from its files (certificates,
/// key files, <c>key-storage.json</c>, TUF metadata, the LMS state): nothing is decrypted, no token is
/// logged in to, so it runs beside a live node and needs no PIN or passphrase.
/// </summary>
public static class CryptoInventory
{
    private const string EcdsaToMlDsa =
        "replace with ML-DSA-65 (FIPS 204) once relying parties verify it; until then a hybrid (ECDSA + ML-DSA) signature where the format allows two";

    /// <summary>The inventory of the data directory at <paramref name="dataDirectory"/>.</summary>
    public static IReadOnlyList<InventoryItem> Read(string dataDirectory)
    {
        var root = Path.GetFullPath(dataDirectory);
        if (!Directory.Exists(Path.Combine(root, "keys")))
        {
            throw new NodeStartupException($"{root} is not a Rampart data directory (no keys/); start 'rampart serve --data {root}' or 'rampart ca init' once");
        }

        using var directory = NodeDataDirectory.OpenExisting(root);
        var storage = KeyStorageSettings.Load(directory);
        var keys = directory.KeysDirectory;
        var items = new List<InventoryItem>
        {
            Certificate("ca-root", directory.RootCertificatePath, NodeKey(storage, keys, KeyNames.RootCa, offlineWhenAbsent: true), CertificateAuthorityRotation.Root,
                "rotate by the root ceremony (new root, cross-signed) before the issuing CA it signs outlives it",
                "a post-quantum root (ML-DSA-65 or -87) distributed to devices out of band; devices must verify ML-DSA X.509 chains"),
            Certificate("ca-issuing", directory.IssuingCertificatePath, NodeKey(storage, keys, KeyNames.IssuingCa, offlineWhenAbsent: false), CertificateAuthorityRotation.Issuing,
                "rampart ca rollover: a new issuing CA from the root; devices renew onto it during the overlap",
                "an ML-DSA-65 issuing CA under a post-quantum root; device TLS stacks must accept ML-DSA certificate signatures"),
            Certificate("tls-server", directory.TlsCertificatePath, FileKey(directory.TlsKeyPath), NodeKeyring.TlsRenewBefore,
                "renewed automatically by the node at start when within 30 days of expiry or its names changed",
                "ML-KEM hybrid key exchange (X25519MLKEM768) needs OpenSSL 3.5+ on the node and the devices; ML-DSA server certificates after that"),
            AuditKey(directory, storage, keys),
            new("secret-box", "AES-256-GCM", 256, "file", Path.Combine(keys, "secret-box.key"), false, null, null,
                "manual: re-seal stored TOTP secrets under a new key (not automated)",
                "none: AES-256 keeps 128-bit strength against Grover's algorithm"),
        };
        items.AddRange(TufKeys(root, keys, storage));
        items.Add(FirmwareEcdsa(keys, storage));
        items.Add(FirmwareLms(keys));
        items.Add(FirmwareMlDsa(keys));
        if (File.Exists(CaRollover.PreviousCertificatePath(directory)))
        {
            items.Add(Certificate("ca-issuing-previous", CaRollover.PreviousCertificatePath(directory), NodeKey(storage, keys, KeyNames.IssuingCaPrevious, offlineWhenAbsent: true),
                TimeSpan.Zero, "replaced by a rollover: trusted for the certificates it issued until the overlap in ca-rollover.json ends, then for nothing",
                "none: it signs no new certificates"));
        }

        items.Add(new("device-certificates", "ECDSA P-256/P-384 or RSA-3072+ (device-held keys), signed ECDSA P-256 by ca-issuing", null, "device", "each device's key store (file or TPM)",
            true, null, null, "devices renew over EST (simplereenroll) within the renewal window of each certificate",
            "devices generate ML-DSA keys and the issuing CA signs with ML-DSA; needs device TLS stacks with ML-DSA"));
        return items;
    }

    private static (string Location, string? Where) NodeKey(KeyStorageSettings storage, string keys, string name, bool offlineWhenAbsent) =>
        storage.Pkcs11 is { } token
            ? ("pkcs11", $"token '{token.TokenLabel}' ({token.Module}), label {Pkcs11KeyLabel(name)}")
            : File.Exists(Path.Combine(keys, name + ".key.pem")) ? FileKey(Path.Combine(keys, name + ".key.pem"))
            : (offlineWhenAbsent ? "offline" : "absent", null);

    private static string Pkcs11KeyLabel(string name) => global::Rampart.Pki.Keys.Pkcs11.Pkcs11KeyProvider.LabelPrefix + name;

    private static (string Location, string? Where) FileKey(string path)
    {
        if (!File.Exists(path))
        {
            return ("offline", null);
        }

        using var reader = new StreamReader(path);
        var first = reader.ReadLine() ?? string.Empty;
        return (first.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) || first == KeyProtector.SealedHeader ? "encrypted-file" : "file", path);
    }

    private static InventoryItem Certificate(string name, string path, (string Location, string? Where) key, TimeSpan renewBefore, string rotation, string postQuantum)
    {
        if (!File.Exists(path))
        {
            return new(name, "not created yet", null, "not created yet", null, true, null, null, rotation, postQuantum);
        }

        using var certificate = X509CertificateLoader.LoadCertificateFromFile(path);
        using var ec = certificate.GetECDsaPublicKey();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var algorithm = ec is null ? certificate.PublicKey.Oid.FriendlyName ?? "unknown" : $"ECDSA P-{ec.KeySize}";
        return new(name, algorithm, ec?.KeySize, key.Location, key.Where, true, notAfter, notAfter - renewBefore, rotation, postQuantum);
    }

    private static InventoryItem AuditKey(NodeDataDirectory directory, KeyStorageSettings storage, string keys)
    {
        var key = NodeKey(storage, keys, KeyNames.Audit, offlineWhenAbsent: false);
        string? id = null;
        if (File.Exists(directory.AuditPublicKeyPath))
        {
            using var published = NodeKeyring.LoadAuditPublicKey(directory.AuditPublicKeyPath);
            id = Fleet.Audit.AuditSigningKey.KeyIdOf(published);
        }

        return new("audit-signing", "ECDSA P-256" + (id is null ? string.Empty : $" (key id {id})"), 256, key.Location, key.Where, true, null, null,
            "no expiry; rampart audit rotate-key hands the chain to a new key (checkpoints name the key id that signed them; either key verifies the whole log)",
            "ML-DSA-65 checkpoint signatures beside ECDSA (planned), then ML-DSA alone");
    }

    // An update key without a file is in the token when the settings put update keys there (the
    // inventory does not log in to look; the ceremony may have destroyed a root or targets key since).
    private static (string Location, string? Where) UpdateKey(KeyStorageSettings storage, string keys, string name)
    {
        var file = FileKey(Path.Combine(keys, name + ".key.pem"));
        return file.Location == "offline" && storage is { Pkcs11: { } token, UpdateKeysInToken: true }
            ? ("pkcs11", $"token '{token.TokenLabel}' ({token.Module}), label {Pkcs11KeyLabel(name)}")
            : file;
    }

    private static IEnumerable<InventoryItem> TufKeys(string root, string keys, KeyStorageSettings storage)
    {
        foreach (var role in new[] { "root", "targets", "snapshot", "timestamp" })
        {
            var (location, where) = UpdateKey(storage, keys, KeyNames.Tuf(role));
            var expires = TufExpiry(root, role);

            // No key is a key moved off the node by the ceremony — unless the repository was never created.
            location = location is "offline" or "pkcs11" && !Directory.Exists(Path.Combine(root, "tuf", "metadata")) ? "not created yet" : location;
            yield return new($"tuf-{role}", "ECDSA P-256 (ecdsa-sha2-nistp256)", 256, location, where, true, expires, expires,
                role is "root" or "targets"
                    ? "offline ceremony: rampart keys root prepare / sign / import (thresholds of old and new root)"
                    : "re-signed automatically before expiry; key rotated through a new root",
                "TUF has no post-quantum key type yet; add one (ML-DSA-65) to the root's keys once clients verify it, with thresholds spanning both");
        }
    }

    private static DateTimeOffset? TufExpiry(string root, string role)
    {
        var metadata = Path.Combine(root, "tuf", "metadata");
        if (!Directory.Exists(metadata))
        {
            return null;
        }

        // Consistent snapshots (TUF §5.5): N.ROLE.json; timestamp.json has no version prefix. The highest N is current.
        var file = role == "timestamp"
            ? Path.Combine(metadata, "timestamp.json")
            : Directory.EnumerateFiles(metadata, $"*.{role}.json")
                .Select(path => (Path: path, Version: int.TryParse(Path.GetFileName(path).Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(entry => entry.Version).Select(entry => entry.Path).FirstOrDefault();
        if (file is null || !File.Exists(file))
        {
            return null;
        }

        try
        {
            var expires = JsonNode.Parse(File.ReadAllBytes(file))?["signed"]?["expires"]?.GetValue<string>();
            return expires is null ? null : DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static InventoryItem FirmwareEcdsa(string keys, KeyStorageSettings storage)
    {
        var (location, where) = UpdateKey(storage, keys, KeyNames.FirmwareEcdsa);

        // Both firmware keys are made together at the first release: no LMS key yet, no ECDSA key either.
        location = location == "offline" || (location == "pkcs11" && !File.Exists(Path.Combine(keys, "firmware-lms.key"))) ? "not created yet" : location;
        return new("firmware-ecdsa", "ECDSA P-256", 256, location, where, true, null, null,
            "rampart keys firmware rotate (all three firmware keys): devices follow a rotation the old keys sign, published through TUF", EcdsaToMlDsa);
    }

    private static InventoryItem FirmwareLms(string keys)
    {
        var seed = Path.Combine(keys, "firmware-lms.key");
        var (location, where) = FileKey(seed);
        var state = Path.Combine(keys, "firmware-lms.state");
        var remaining = File.Exists(state) && long.TryParse(File.ReadAllText(state).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var next)
            ? $"{Math.Max(0, 1024 - next)} of 1024 signatures left" : "no signature made yet";
        return new("firmware-lms", $"LMS_SHA256_M32_H10 / LMOTS_SHA256_N32_W8 (RFC 8554; {remaining})", 256, location == "offline" ? "not created yet" : location, where, false, null, null,
            "stateful: rampart keys firmware rotate before a tenth of the signatures is left; devices follow the rotation the old keys sign",
            "none: hash-based (NIST SP 800-208); already post-quantum");
    }

    private static InventoryItem FirmwareMlDsa(string keys)
    {
        var (location, where) = FileKey(Path.Combine(keys, "firmware-mldsa65.key"));
        return new("firmware-ml-dsa-65", "ML-DSA-65 (FIPS 204)", null, location == "offline" ? "not created yet" : location, where, false, null, null,
            "stateless: rotated with the other firmware keys (rampart keys firmware rotate)",
            "none: lattice-based (FIPS 204); the manifest's third signature, required by devices that pin it");
    }

    /// <summary>How long before expiry each CA certificate should be replaced.</summary>
    private static class CertificateAuthorityRotation
    {
        /// <summary>The root must outlive every issuing CA it signs.</summary>
        public static readonly TimeSpan Root = global::Rampart.Pki.Authority.CertificateAuthority.IssuingValidity;

        /// <summary>The issuing CA must outlive the device certificates it signs (90 days by default) with room to renew.</summary>
        public static readonly TimeSpan Issuing = TimeSpan.FromDays(180);
    }
}
