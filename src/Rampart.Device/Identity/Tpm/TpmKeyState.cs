using System.Globalization;
using System.Text;
using Rampart.Updates.Files;

namespace Rampart.Device.Identity.Tpm;

/// <summary>
/// Which of the store's two persistent handles holds the current device key, and the renewal step in
/// flight, as the small text file <c>tpm-keys.state</c> (one <c>name 0x8100xxxx</c> pair a line):
/// <list type="bullet">
/// <item><c>current</c>: the key <c>device.crt</c> certifies. Without the file, <see cref="TpmKeyStoreOptions.PersistentHandle"/>.</item>
/// <item><c>pending</c>: a renewal is making or using a next key here; it is not yet the device's (a crash discards it).</item>
/// <item><c>retired</c>: the swap is recorded, this old key is still to be evicted (a crash finishes it).</item>
/// </list>
/// Written with <see cref="AtomicFile"/> (temp file, fsync, rename, directory fsync), so after a crash it is
/// the old or the new record, never a mix: the write of <c>current = next</c> is the renewal's commit point.
/// </summary>
internal sealed record TpmKeyState(uint Current, uint? Pending = null, uint? Retired = null)
{
    /// <summary>The file's name in the certificate directory.</summary>
    public const string FileName = "tpm-keys.state";

    private const int MaxLength = 4096;

    /// <summary>Reads the state, or the default (current = the first handle) when there is no file. Handles other than the two configured are refused.</summary>
    public static TpmKeyState Read(string path, TpmKeyStoreOptions options)
    {
        var bytes = AtomicFile.ReadBounded(path, MaxLength);
        if (bytes is null)
        {
            return new TpmKeyState(options.PersistentHandle);
        }

        uint? current = null, pending = null, retired = null;
        foreach (var line in Encoding.ASCII.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !parts[1].StartsWith("0x", StringComparison.Ordinal)
                || !uint.TryParse(parts[1].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var handle))
            {
                throw new InvalidDataException($"{path}: '{line}' is not 'name 0x8100xxxx'");
            }

            // Evicting is irreversible: a handle this store was not configured with is never acted on.
            if (handle != options.PersistentHandle && handle != options.NextPersistentHandle)
            {
                throw new InvalidDataException($"{path}: {parts[1]} is neither of the store's handles ({Tpm2Tools.Name(options.PersistentHandle)}, {Tpm2Tools.Name(options.NextPersistentHandle)})");
            }

            switch (parts[0])
            {
                case "current": current = handle; break;
                case "pending": pending = handle; break;
                case "retired": retired = handle; break;
                default: throw new InvalidDataException($"{path}: unknown entry '{parts[0]}'");
            }
        }

        var state = new TpmKeyState(current ?? throw new InvalidDataException($"{path} names no current handle"), pending, retired);
        // With two handles a renewal is either before its commit point (pending) or after it (retired), never both.
        return state.Pending == state.Current || state.Retired == state.Current || (state.Pending is not null && state.Retired is not null)
            ? throw new InvalidDataException($"{path}: a handle is both current and pending or retired, or a renewal is both pending and retired")
            : state;
    }

    /// <summary>Writes the state durably and atomically.</summary>
    public void Write(string path)
    {
        var text = new StringBuilder().Append("current ").Append(Tpm2Tools.Name(Current)).Append('\n');
        if (Pending is { } pending)
        {
            text.Append("pending ").Append(Tpm2Tools.Name(pending)).Append('\n');
        }

        if (Retired is { } retired)
        {
            text.Append("retired ").Append(Tpm2Tools.Name(retired)).Append('\n');
        }

        AtomicFile.Write(path, Encoding.ASCII.GetBytes(text.ToString()));
    }
}
