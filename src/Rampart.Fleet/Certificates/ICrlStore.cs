namespace Rampart.Fleet.Certificates;

/// <summary>The CRLs the node published; the newest is served.</summary>
public interface ICrlStore
{
    /// <summary>The newest CRL, or null before the first.</summary>
    Task<PublishedCrl?> GetLatestAsync(CancellationToken cancellationToken);

    /// <summary>Stores a CRL whose number must exceed every earlier one.</summary>
    Task AddAsync(PublishedCrl crl, CancellationToken cancellationToken);
}
