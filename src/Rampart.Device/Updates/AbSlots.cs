using System.Text.Json;
using Rampart.Updates.Files;

namespace Rampart.Device.Updates;

/// <summary>
/// A simulated A/B flash layout in a directory: <c>slot-a.bin</c>, <c>slot-b.bin</c> and <c>boot.json</c>
/// (the bootloader's record: active slot, what each slot holds, and a slot on trial). An update is
/// written to the inactive slot, the bootloader is switched to it on trial, and after the restart the
/// trial is committed (health check passed) or abandoned (back to the previous slot). Every write is
/// to a temporary file renamed into place, so a power cut leaves the old or the new state, never half.
/// </summary>
public sealed class AbSlots
{
    private readonly string _directory;
    private BootRecord _boot;

    private AbSlots(string directory, BootRecord boot) => (_directory, _boot) = (directory, boot);

    /// <summary>The slot the device runs.</summary>
    public string Active => _boot.Active;

    /// <summary>The firmware in the active slot.</summary>
    public InstalledFirmware Installed => _boot.Slots[_boot.Active];

    /// <summary>True when the active slot is on trial: installed, booted, not yet confirmed healthy.</summary>
    public bool OnTrial => _boot.Trial is not null;

    /// <summary>The rollout whose outcome was last reported (so a retained directive is not run twice).</summary>
    public long? LastRollout => _boot.LastRollout;

    /// <summary>Opens the layout, creating it with <paramref name="factory"/> in slot A on first use.</summary>
    public static AbSlots Open(string directory, InstalledFirmware factory, byte[] factoryImage)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "boot.json");
        if (File.Exists(path))
        {
            return new AbSlots(directory, JsonSerializer.Deserialize<BootRecord>(File.ReadAllBytes(path)) ?? throw new InvalidDataException($"{path} is empty"));
        }

        var slots = new AbSlots(directory, new BootRecord("a", new Dictionary<string, InstalledFirmware> { ["a"] = factory, ["b"] = factory }, null, null, null));
        WriteAtomically(Path.Combine(directory, "slot-a.bin"), factoryImage);
        slots.Save();
        return slots;
    }

    /// <summary>The image in the active slot.</summary>
    public byte[] ActiveImage() => File.ReadAllBytes(SlotPath(_boot.Active));

    /// <summary>Writes <paramref name="image"/> to the inactive slot and switches the bootloader to it on trial.</summary>
    public void InstallOnTrial(byte[] image, InstalledFirmware firmware, long rollout)
    {
        var target = Other(_boot.Active);
        WriteAtomically(SlotPath(target), image);
        var slots = new Dictionary<string, InstalledFirmware>(_boot.Slots) { [target] = firmware };
        _boot = new BootRecord(target, slots, _boot.Active, rollout, _boot.LastRollout);
        Save();
    }

    /// <summary>Keeps the slot on trial for good.</summary>
    public void Commit()
    {
        _boot = _boot with { Trial = null, LastRollout = _boot.TrialRollout ?? _boot.LastRollout, TrialRollout = null };
        Save();
    }

    /// <summary>Goes back to the slot that ran before the trial.</summary>
    public void Fallback()
    {
        _boot = _boot with { Active = _boot.Trial ?? _boot.Active, Trial = null, LastRollout = _boot.TrialRollout ?? _boot.LastRollout, TrialRollout = null };
        Save();
    }

    /// <summary>Records that a rollout's outcome was reported without an install (a refusal).</summary>
    public void Remember(long rollout)
    {
        _boot = _boot with { LastRollout = rollout };
        Save();
    }

    /// <summary>The rollout being tried, if any.</summary>
    public long? TrialRollout => _boot.TrialRollout;

    private static string Other(string slot) => slot == "a" ? "b" : "a";

    private string SlotPath(string slot) => Path.Combine(_directory, $"slot-{slot}.bin");

    private void Save() => WriteAtomically(Path.Combine(_directory, "boot.json"), JsonSerializer.SerializeToUtf8Bytes(_boot));

    // The one durable write (0600, fsync, rename, directory fsync): boot.json and the slots survive a power cut whole.
    private static void WriteAtomically(string path, byte[] bytes) => AtomicFile.Write(path, bytes);

    /// <summary>The bootloader's record. <c>Trial</c> is the slot to fall back to while the active one is on trial.</summary>
    private sealed record BootRecord(string Active, Dictionary<string, InstalledFirmware> Slots, string? Trial, long? TrialRollout, long? LastRollout);
}
