using Rampart.Updates.Tuf;

namespace Rampart.Server.Updates;

public sealed partial class TufRepository
{
    /// <summary>
    /// The published repository as a device sees it: the one TUF client (the SDK's) refreshes from
    /// <c>1.root.json</c> through every published root, then timestamp, snapshot and targets, with every
    /// check of TUF §5. Null when it accepts what is published, else why it refuses it — a repository
    /// its own devices would refuse is a fault to report, not to find out from the fleet.
    /// </summary>
    public async Task<string?> CheckAsClientAsync(CancellationToken cancellationToken)
    {
        var root = await File.ReadAllBytesAsync(Path.Combine(MetadataDirectory, "1.root.json"), cancellationToken);
        try
        {
            await new TufClient(new DirectoryTufRepository(Path.GetDirectoryName(MetadataDirectory)!), root, time).RefreshAsync(cancellationToken);
            return null;
        }
        catch (TufException exception)
        {
            return exception.Message;
        }
    }
}
