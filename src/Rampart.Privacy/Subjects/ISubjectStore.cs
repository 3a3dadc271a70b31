using Rampart.Fleet.Audit;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Subjects;

/// <summary>Data subjects, their keys, devices and consents (implemented in Rampart.Storage for SQLite and PostgreSQL).</summary>
public interface ISubjectStore
{
    /// <summary>Adds a subject with its wrapped data key; false when the pseudonym exists.</summary>
    Task<bool> TryAddAsync(IStoreTransaction transaction, StoredSubject subject, WrappedKey key, CancellationToken cancellationToken);

    /// <summary>The subject, or null.</summary>
    Task<StoredSubject?> GetAsync(string pseudonym, CancellationToken cancellationToken);

    /// <summary>The subject's wrapped data key, or null once destroyed.</summary>
    Task<WrappedKey?> GetKeyAsync(string pseudonym, CancellationToken cancellationToken);

    /// <summary>Links a device to the subject; the pseudonym of the subject the device belongs to already (itself when linked before), or null when it was linked now.</summary>
    Task<string?> TryLinkDeviceAsync(IStoreTransaction transaction, string pseudonym, string deviceId, CancellationToken cancellationToken);

    /// <summary>Records a consent or its withdrawal (the last answer per purpose stands).</summary>
    Task SetConsentAsync(IStoreTransaction transaction, Consent consent, CancellationToken cancellationToken);

    /// <summary>The subject's consents, by purpose.</summary>
    Task<IReadOnlyList<Consent>> ConsentsAsync(string pseudonym, CancellationToken cancellationToken);

    /// <summary>The subject's devices.</summary>
    Task<IReadOnlyList<string>> DevicesAsync(string pseudonym, CancellationToken cancellationToken);

    /// <summary>Every subject's routing facts, for the delivery path's directory at start.</summary>
    Task<IReadOnlyList<SubjectRouting>> RoutingAsync(CancellationToken cancellationToken);

    /// <summary>Destroys the subject's data key (crypto-shredding); false when there was none.</summary>
    Task<bool> DestroyKeyAsync(IStoreTransaction transaction, string pseudonym, CancellationToken cancellationToken);

    /// <summary>Deletes the subject's rows (subject, devices, consents); returns how many.</summary>
    Task<int> DeleteAsync(IStoreTransaction transaction, string pseudonym, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> keys wrapped by a KEK older than <paramref name="version"/>.</summary>
    Task<IReadOnlyList<(string Pseudonym, WrappedKey Key)>> KeysWrappedBeforeAsync(int version, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces wrapped keys (KEK rotation); a key whose version changed meanwhile is left alone. Returns how many were replaced.</summary>
    Task<int> ReplaceKeysAsync(IStoreTransaction transaction, IReadOnlyList<(string Pseudonym, int OldVersion, WrappedKey Key)> keys, CancellationToken cancellationToken);
}
