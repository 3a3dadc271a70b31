using System.Text.Json;
using System.Text.Json.Serialization;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// Where a data directory's signing keys live, recorded in <c>key-storage.json</c> beside the
/// database by <c>rampart ca init --pkcs11-module …</c> so that a plain <c>rampart serve --data DIR</c>
/// opens the same token. No file means files in <c>keys/</c> (every node before key providers).
/// Holds the module path, the token label and the PIN file's path — never the PIN. The CA and audit
/// keys are in the token whenever one is named; <paramref name="UpdateKeysInToken"/> puts the TUF role
/// keys and the firmware ECDSA key there too (<c>ca init</c> does by default; directories recorded
/// before update keys could live in a token have no such field and keep them as files).
/// </summary>
public sealed record KeyStorageSettings(Pkcs11Settings? Pkcs11, bool UpdateKeysInToken = false)
{
    /// <summary>The file name in the data directory.</summary>
    public const string FileName = "key-storage.json";

    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Keys as files (the default).</summary>
    public static KeyStorageSettings Files { get; } = new((Pkcs11Settings?)null);

    /// <summary>The settings of a data directory; <see cref="Files"/> when it has none.</summary>
    public static KeyStorageSettings Load(NodeDataDirectory directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return Files;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), _json) ?? throw new JsonException("empty");
            return stored.Pkcs11 is { Module: { Length: > 0 } module, TokenLabel: { Length: > 0 } label }
                ? new KeyStorageSettings(new Pkcs11Settings(module, label, string.IsNullOrEmpty(stored.Pkcs11.PinFile) ? null : stored.Pkcs11.PinFile), stored.UpdateKeysInToken ?? false)
                : throw new JsonException("pkcs11 needs module and tokenLabel");
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            throw new NodeStartupException($"{path} cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>Writes the settings into the directory (owner-only, atomically).</summary>
    public void Save(NodeDataDirectory directory) =>
        OwnerOnlyFile.WriteAtomically(PathIn(directory), JsonSerializer.SerializeToUtf8Bytes(
            new Stored(Pkcs11 is null ? null : new StoredPkcs11(Pkcs11.Module, Pkcs11.TokenLabel, Pkcs11.PinFile), Pkcs11 is null ? null : UpdateKeysInToken), _json));

    /// <summary>
    /// Opens the provider these settings name: the token (logged in) or the <c>keys/</c> directory.
    /// A missing token, a wrong PIN or an unusable module stops the node with the reason.
    /// </summary>
    public ISigningKeyProvider Open(NodeDataDirectory directory)
    {
        if (Pkcs11 is null)
        {
            return new FileKeyProvider(directory.KeysDirectory, (path, bytes) => OwnerOnlyFile.WriteAtomically(path, bytes));
        }

        try
        {
            return Pkcs11KeyProvider.Open(Pkcs11);
        }
        catch (KeyProviderException exception)
        {
            throw new NodeStartupException($"the node's keys are in {Pkcs11} ({PathIn(directory)}), and it cannot be used: {exception.Message}", exception);
        }
    }

    private static string PathIn(NodeDataDirectory directory) => Path.Combine(directory.Root, FileName);

    private sealed record Stored(StoredPkcs11? Pkcs11, bool? UpdateKeysInToken);

    private sealed record StoredPkcs11(string? Module, string? TokenLabel, string? PinFile);
}
