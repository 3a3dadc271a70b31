using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Operators;

/// <summary>API tokens (hashes only).</summary>
public interface IApiTokenStore
{
    /// <summary>Stores a token; returns its id.</summary>
    Task<long> AddAsync(IStoreTransaction transaction, ApiTokenRecord token, CancellationToken cancellationToken);

    /// <summary>The token with this hash, in whatever state.</summary>
    Task<ApiTokenRecord?> FindByHashAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>A user's tokens, newest first.</summary>
    Task<IReadOnlyList<ApiTokenRecord>> ListAsync(string userName, CancellationToken cancellationToken);

    /// <summary>The token with this id, or null.</summary>
    Task<ApiTokenRecord?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Revokes the token; false when it is unknown or revoked already.</summary>
    Task<bool> RevokeAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken);
}
