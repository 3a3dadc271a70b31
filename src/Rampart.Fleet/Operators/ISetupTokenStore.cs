using Rampart.Fleet.Audit;

namespace Rampart.Fleet.Operators;

/// <summary>Storage of setup tokens.</summary>
public interface ISetupTokenStore
{
    /// <summary>True once any setup token was ever issued on this node.</summary>
    Task<bool> AnyIssuedAsync(CancellationToken cancellationToken);

    /// <summary>Revokes every unconsumed token and stores the new one, inside the audited transaction that records it.</summary>
    Task<long> ReplaceAsync(IStoreTransaction transaction, byte[] tokenHash, DateTimeOffset created, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The token that is neither consumed, revoked nor expired at <paramref name="now"/>, if any.</summary>
    Task<SetupTokenRecord?> GetUsableAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks the token consumed unless something else consumed it first; true when this call did.</summary>
    Task<bool> TryConsumeAsync(IStoreTransaction transaction, long id, DateTimeOffset now, CancellationToken cancellationToken);
}
