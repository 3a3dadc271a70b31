using Rampart.Adapters.Credentials;
using Rampart.Fleet.Audit;
using Rampart.Storage.Sql;
using static Rampart.Storage.Adapters.DeviceCredentialSql;

namespace Rampart.Storage.Adapters;

/// <summary>Device PSKs, legacy secrets and legacy flags, on either provider.</summary>
public sealed class DeviceCredentialStore(IStoreDatabase database) : IDeviceCredentialStore
{
    /// <inheritdoc />
    public Task<DeviceCredential?> GetActiveAsync(string deviceId, CredentialKind kind, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(Active, Credential, cancellationToken, ("device", deviceId), ("kind", KindName(kind)));

    /// <inheritdoc />
    public async Task<string?> ReplaceAsync(IStoreTransaction transaction, DeviceCredential credential, CancellationToken cancellationToken)
    {
        var replaced = await RevokeAsync(transaction, credential.DeviceId, credential.Kind, credential.Issued, cancellationToken);
        await transaction.ExecuteAsync(Insert, cancellationToken, ("key", credential.KeyId), ("device", credential.DeviceId), ("kind", KindName(credential.Kind)),
            ("verifier", credential.Verifier), ("sealed", credential.Sealed), ("issued", credential.Issued.ToUnixMs()));
        return replaced;
    }

    /// <inheritdoc />
    public async Task<string?> RevokeAsync(IStoreTransaction transaction, string deviceId, CredentialKind kind, DateTimeOffset at, CancellationToken cancellationToken) =>
        await transaction.ScalarAsync(Revoke, cancellationToken, ("at", at.ToUnixMs()), ("device", deviceId), ("kind", KindName(kind))) as string;

    /// <inheritdoc />
    public async Task<bool> VerifierExistsAsync(byte[] verifier, CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync(VerifierExists, cancellationToken, ("verifier", verifier)), System.Globalization.CultureInfo.InvariantCulture) > 0;

    /// <inheritdoc />
    public async Task<bool> TryAddLegacyAsync(IStoreTransaction transaction, LegacyRegistration registration, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(AddLegacy, cancellationToken, ("device", registration.DeviceId), ("reason", registration.Reason),
            ("by", registration.RegisteredBy), ("at", registration.Registered.ToUnixMs())) == 1;

    /// <inheritdoc />
    public Task<LegacyRegistration?> GetLegacyAsync(string deviceId, CancellationToken cancellationToken) =>
        database.QuerySingleAsync(GetLegacy, Legacy, cancellationToken, ("device", deviceId));

    /// <inheritdoc />
    public async Task<IReadOnlyList<LegacyRegistration>> ListLegacyAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(ListLegacy, Legacy, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> MarkReplacedAsync(IStoreTransaction transaction, string deviceId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync(MarkReplaced, cancellationToken, ("at", at.ToUnixMs()), ("device", deviceId)) == 1;
}
