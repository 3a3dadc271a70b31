namespace Rampart.Detection.Export;

/// <summary>
/// Who delivers each export destination when several nodes share one outbox (issue 15): a lease per
/// destination with a holder and an expiry. Only the holder sends, so each record goes out once in
/// the normal case; a holder that stops releases its leases, one that dies loses them at expiry, and
/// the next node continues from the outbox rows (only a delivery removes them: nothing is lost).
/// </summary>
public interface IExportLeaseStore
{
    /// <summary>
    /// Takes the lease of <paramref name="destination"/> for <paramref name="holder"/> until
    /// <paramref name="until"/> when it is free, expired at <paramref name="now"/>, or already the
    /// holder's (a renewal). True when <paramref name="holder"/> holds it afterwards.
    /// </summary>
    Task<bool> TryHoldAsync(string destination, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Gives up the lease if <paramref name="holder"/> holds it, so another node takes over at its next round.</summary>
    Task ReleaseAsync(string destination, string holder, CancellationToken cancellationToken);

    /// <summary>The lease of <paramref name="destination"/>, or null when none was ever taken.</summary>
    Task<ExportLease?> GetAsync(string destination, CancellationToken cancellationToken);
}

/// <summary>A destination's lease: who holds it and until when.</summary>
public sealed record ExportLease(string Destination, string Holder, DateTimeOffset Expires);

/// <summary>This node's side of the leases: the store and the name it holds them under (unique per running node).</summary>
public sealed record ExportLeaseHolder(IExportLeaseStore Store, string Holder);
