using Rampart.Fleet.Audit;
using Rampart.Privacy.Classification;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Retention;
using Rampart.Privacy.Subjects;
using Rampart.Storage.Sql;

namespace Rampart.Storage.Privacy;

/// <summary>Data subjects, their keys, devices and consents, and retention, on either provider (statements: <see cref="PrivacySql"/>).</summary>
public sealed class PrivacyStore(IStoreDatabase database) : ISubjectStore, IRetentionStore, IStoredColumns
{
    /// <inheritdoc />
    public async Task<bool> TryAddAsync(IStoreTransaction transaction, StoredSubject subject, WrappedKey key, CancellationToken cancellationToken)
    {
        if (await transaction.ExecuteAsync(PrivacySql.InsertSubject, cancellationToken,
                ("p", subject.Pseudonym), ("r", subject.Region), ("s", subject.Sealed), ("t", subject.Created.ToUnixTimeMilliseconds())) != 1)
        {
            return false;
        }

        await transaction.ExecuteAsync(PrivacySql.InsertKey, cancellationToken, ("p", subject.Pseudonym), ("v", key.KekVersion), ("k", key.Bytes));
        return true;
    }

    /// <inheritdoc />
    public Task<StoredSubject?> GetAsync(string pseudonym, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(PrivacySql.SelectSubject, PrivacySql.Subject, cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public Task<WrappedKey?> GetKeyAsync(string pseudonym, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(PrivacySql.SelectKey, PrivacySql.Key, cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public async Task<string?> TryLinkDeviceAsync(IStoreTransaction transaction, string pseudonym, string deviceId, CancellationToken cancellationToken)
    {
        if (await transaction.ExecuteAsync(PrivacySql.LinkDevice, cancellationToken, ("d", deviceId), ("p", pseudonym)) == 1)
        {
            return null;
        }

        return (await transaction.QueryAsync(PrivacySql.OwnerOfDevice, reader => reader.GetString(0), cancellationToken, ("d", deviceId))).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task SetConsentAsync(IStoreTransaction transaction, Consent consent, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(PrivacySql.UpsertConsent, cancellationToken,
            ("p", consent.Pseudonym), ("u", consent.Purpose), ("g", consent.Granted ? 1 : 0), ("t", consent.Changed.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Consent>> ConsentsAsync(string pseudonym, CancellationToken cancellationToken) =>
        await database.QueryAsync(PrivacySql.SelectConsents, PrivacySql.Consent, cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> DevicesAsync(string pseudonym, CancellationToken cancellationToken) =>
        await database.QueryAsync(PrivacySql.SelectDevices, reader => reader.GetString(0), cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SubjectRouting>> RoutingAsync(CancellationToken cancellationToken) =>
        PrivacySql.Routing(
            await database.QueryAsync(PrivacySql.SelectAllSubjects, reader => (reader.GetString(0), reader.GetString(1)), cancellationToken),
            await database.QueryAsync(PrivacySql.SelectAllDevices, reader => (reader.GetString(0), reader.GetString(1)), cancellationToken),
            await database.QueryAsync(PrivacySql.SelectAllGranted, reader => (reader.GetString(0), reader.GetString(1)), cancellationToken));

    /// <inheritdoc />
    public async Task<bool> DestroyKeyAsync(IStoreTransaction transaction, string pseudonym, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(PrivacySql.DestroyKey, cancellationToken, ("p", pseudonym)) == 1;

    /// <inheritdoc />
    public async Task<int> DeleteAsync(IStoreTransaction transaction, string pseudonym, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(PrivacySql.DeleteConsents, cancellationToken, ("p", pseudonym))
        + await transaction.ExecuteAsync(PrivacySql.DeleteDevices, cancellationToken, ("p", pseudonym))
        + await transaction.ExecuteAsync(PrivacySql.DeleteSubject, cancellationToken, ("p", pseudonym));

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Pseudonym, WrappedKey Key)>> KeysWrappedBeforeAsync(int version, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(PrivacySql.KeysBefore, PrivacySql.PseudonymAndKey, cancellationToken, ("v", version), ("n", limit));

    /// <inheritdoc />
    public Task<int> ReplaceKeysAsync(IStoreTransaction transaction, IReadOnlyList<(string Pseudonym, int OldVersion, WrappedKey Key)> keys, CancellationToken cancellationToken)
    {
        // A KEK rotation rewraps every subject's key: one statement per batch on PostgreSQL, not a round trip per key.
        var commands = CommandTransactions.Of(transaction);
        return commands.Dialect.UpdateRowsAsync(
            commands.Command, "privacy_subject_keys",
            [
                new("p", BatchType.Text, i => keys[i].Pseudonym),
                new("old", BatchType.Integer, i => keys[i].OldVersion),
                new("v", BatchType.Integer, i => keys[i].Key.KekVersion),
                new("k", BatchType.Bytes, i => keys[i].Key.Bytes),
            ],
            keys.Count, PrivacySql.ReplaceKeySet, PrivacySql.ReplaceKeyWhere, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, int>> PeriodsAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync(PrivacySql.SelectPeriods, reader => (reader.GetString(0), reader.GetInt32(1)), cancellationToken)).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task SetPeriodAsync(IStoreTransaction transaction, string category, int days, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(PrivacySql.UpsertPeriod, cancellationToken, ("c", category), ("d", days), ("t", transaction.Now.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public Task<int> DeleteExpiredAsync(IStoreTransaction transaction, string category, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync(PrivacySql.Expiry(category), cancellationToken, ("cutoff", cutoff.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Table, string Column)>> ColumnsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(database.Dialect.SchemaColumnsQuery, reader => (reader.GetString(0), reader.GetString(1)), cancellationToken);
}
