namespace Rampart.Updates.Tuf;

/// <summary>
/// Where a TUF client keeps the metadata it has verified, between refreshes and across restarts: the
/// newest trusted root, timestamp, snapshot, targets and delegated targets, one file per role under a
/// non-versioned name. Only what the client verified is written here, so it is trusted input: it is the
/// baseline that makes rollback and freeze protection (§5.4.3, §5.5.5, §5.6.3) hold across updates and
/// reboots. Implementations must write atomically and durably (a crash leaves the old or the new file).
/// </summary>
public interface ITrustedMetadataStore
{
    /// <summary>
    /// The stored metadata of <paramref name="role"/>, or null when there is none. More than
    /// <paramref name="maxLength"/> bytes is refused with <see cref="InvalidDataException"/>.
    /// </summary>
    byte[]? Load(string role, long maxLength);

    /// <summary>Stores <paramref name="bytes"/> as the trusted metadata of <paramref name="role"/>, replacing what was there.</summary>
    void Save(string role, byte[] bytes);

    /// <summary>Forgets the metadata of <paramref name="role"/> (fast-forward recovery, §5.3.11).</summary>
    void Delete(string role);
}
