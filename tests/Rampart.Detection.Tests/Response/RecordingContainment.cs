using Rampart.Detection.Response;

namespace Rampart.Detection.Tests.Response;

/// <summary>
/// Records what the response engine asked for. The real containment (inventory, CA, gateway) is
/// exercised end to end in the server tests; here the point is the policy and its guard rail.
/// </summary>
internal sealed class RecordingContainment : IContainmentActions
{
    public List<(string Action, string Device, string Reason)> Done { get; } = [];

    public Task<bool> QuarantineAsync(string deviceId, string reason, CancellationToken cancellationToken)
    {
        Done.Add(("quarantine", deviceId, reason));
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<string>> RevokeAsync(string deviceId, string reason, CancellationToken cancellationToken)
    {
        Done.Add(("revoke", deviceId, reason));
        return Task.FromResult<IReadOnlyList<string>>(["01AB"]);
    }

    public Task<bool> DisconnectAsync(string deviceId, string reason, CancellationToken cancellationToken)
    {
        Done.Add(("disconnect", deviceId, reason));
        return Task.FromResult(true);
    }

    public Task<bool> TightenLimitsAsync(string deviceId, long alertId, string reason, CancellationToken cancellationToken)
    {
        Done.Add(("tighten-limits", deviceId, reason));
        return Task.FromResult(true);
    }
}
