using System.Security.Cryptography;
using System.Text;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// Key files of the update pipeline (TUF role keys, the firmware signing keys) at rest. With a
/// passphrase (setting <c>Rampart:Keys:PassphraseFile</c>, e.g. a systemd credential) ECDSA keys are
/// PKCS#8 <c>ENCRYPTED PRIVATE KEY</c> (PBES2: PBKDF2-HMAC-SHA256, 600,000 iterations, AES-256-CBC)
/// and other secrets are sealed with AES-256-GCM under a key derived the same way; without one they
/// are owner-only plaintext and the node says so at start. A file encrypted under a passphrase is
/// never read without it.
/// </summary>
public sealed class KeyProtector
{
    /// <summary>PBKDF2 iterations (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).</summary>
    public const int Iterations = 600_000;

    internal const string SealedHeader = "RAMPART SEALED SECRET v1";
    private readonly string? _passphrase;

    public KeyProtector(string? passphrase)
    {
        if (passphrase is not null && passphrase.Length < 12)
        {
            throw new NodeStartupException("the key passphrase must be at least 12 characters");
        }

        _passphrase = passphrase;
    }

    /// <summary>True when key files are encrypted.</summary>
    public bool Encrypts => _passphrase is not null;

    /// <summary>A protector with the passphrase in <paramref name="passphraseFile"/> (first line), or one that does not encrypt.</summary>
    public static KeyProtector FromFile(string? passphraseFile)
    {
        if (string.IsNullOrEmpty(passphraseFile))
        {
            return new KeyProtector(null);
        }

        string passphrase;
        try
        {
            passphrase = File.ReadLines(passphraseFile).FirstOrDefault()?.TrimEnd('\r') ?? string.Empty;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A directory or an unreadable file arrives as UnauthorizedAccessException, not IOException.
            throw new NodeStartupException($"Rampart:Keys:PassphraseFile: {passphraseFile} cannot be read: {exception.Message}", exception);
        }

        return passphrase.Length < 12
            ? throw new NodeStartupException($"Rampart:Keys:PassphraseFile: the passphrase in {passphraseFile} must be at least 12 characters")
            : new KeyProtector(passphrase);
    }

    /// <summary>Writes an ECDSA private key (owner-only, atomically).</summary>
    public void SaveEcdsa(string path, ECDsa key)
    {
        var pem = _passphrase is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(_passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations));
        OwnerOnlyFile.WriteAtomically(path, Encoding.ASCII.GetBytes(pem + "\n"));
    }

    /// <summary>Reads an ECDSA private key written by <see cref="SaveEcdsa"/> (or a plain PKCS#8 one).</summary>
    public ECDsa LoadEcdsa(string path)
    {
        var pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                key.ImportFromEncryptedPem(pem, _passphrase ?? throw new NodeStartupException($"{path} is encrypted; set Rampart:Keys:PassphraseFile"));
            }
            else
            {
                key.ImportFromPem(pem);
            }

            return key;
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new NodeStartupException($"the key file {path} cannot be read (wrong passphrase?): {exception.Message}", exception);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Writes a secret (owner-only, atomically), sealed when a passphrase is set.</summary>
    public void SaveSecret(string path, ReadOnlySpan<byte> secret)
    {
        if (_passphrase is null)
        {
            OwnerOnlyFile.WriteAtomically(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(secret) + "\n"));
            return;
        }

        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[secret.Length];
        using (var aes = new AesGcm(Derive(salt), tag.Length))
        {
            aes.Encrypt(nonce, secret, ciphertext, tag, Encoding.ASCII.GetBytes(SealedHeader));
        }

        OwnerOnlyFile.WriteAtomically(path, Encoding.ASCII.GetBytes($"{SealedHeader}\n{Convert.ToBase64String([.. salt, .. nonce, .. tag, .. ciphertext])}\n"));
    }

    /// <summary>Reads a secret written by <see cref="SaveSecret"/>.</summary>
    public byte[] LoadSecret(string path)
    {
        var lines = File.ReadAllLines(path);
        try
        {
            if (lines.Length == 0 || lines[0] != SealedHeader)
            {
                return Convert.FromBase64String(string.Concat(lines).Trim());
            }

            var passphrase = _passphrase ?? throw new NodeStartupException($"{path} is sealed; set Rampart:Keys:PassphraseFile");
            var blob = Convert.FromBase64String(lines[1]);
            var (salt, nonce, tag, ciphertext) = (blob[..16], blob[16..28], blob[28..44], blob[44..]);
            var secret = new byte[ciphertext.Length];
            using var aes = new AesGcm(Derive(salt, passphrase), tag.Length);
            aes.Decrypt(nonce, ciphertext, tag, secret, Encoding.ASCII.GetBytes(SealedHeader));
            return secret;
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException or IndexOutOfRangeException or ArgumentException)
        {
            throw new NodeStartupException($"the secret in {path} cannot be read (wrong passphrase or damaged file): {exception.Message}", exception);
        }
    }

    private byte[] Derive(byte[] salt, string? passphrase = null) =>
        Rfc2898DeriveBytes.Pbkdf2(passphrase ?? _passphrase!, salt, Iterations, HashAlgorithmName.SHA256, 32);
}
