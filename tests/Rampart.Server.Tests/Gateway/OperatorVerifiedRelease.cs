using Rampart.Fleet.Errors;

namespace Rampart.Server.Tests.Gateway;

/// <summary>
/// For tests of what a release does (state, events, live sessions), not of the proof it needs — that
/// is DetectionEndToEndTests' and AlertCliTests', against the host's QuarantineRelease. Named so no
/// one mistakes it for the host's check.
/// </summary>
public sealed class OperatorVerifiedRelease(string? refusal = null) : Rampart.Fleet.Inventory.IQuarantineReleaseCheck
{
    /// <summary>Accepts every device.</summary>
    public static readonly OperatorVerifiedRelease Instance = new();

    public Task<string> ProveAsync(Rampart.Fleet.Inventory.Device device, CancellationToken cancellationToken) =>
        refusal is null ? Task.FromResult("verified by the test") : throw new FleetException(FleetErrorKind.Conflict, refusal);
}
