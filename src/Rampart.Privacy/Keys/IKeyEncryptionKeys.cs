namespace Rampart.Privacy.Keys;

/// <summary>
/// The key-encryption keys (KEKs) that wrap every subject's data key, by version: the current one
/// wraps new keys; older ones stay readable until every key wrapped by them has been re-wrapped.
/// </summary>
public interface IKeyEncryptionKeys
{
    /// <summary>The version new data keys are wrapped with.</summary>
    int CurrentVersion { get; }

    /// <summary>The 256-bit KEK of <paramref name="version"/>; throws when it was retired.</summary>
    byte[] Get(int version);

    /// <summary>Creates a new KEK and makes it current; returns its version.</summary>
    int Rotate();

    /// <summary>Destroys every KEK older than <paramref name="keep"/> (no key is wrapped by them any more).</summary>
    void RetireBefore(int keep);

    /// <summary>The key that makes subject pseudonyms (HMAC-SHA256); never rotated, or every pseudonym would change.</summary>
    byte[] PseudonymKey { get; }
}
