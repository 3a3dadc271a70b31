using Rampart.Detection.Export;

namespace Rampart.Server.Export;

/// <summary>One destination in <c>GET /api/v1/export/status</c> (and <c>rampart export status</c>). Carries no key or URL secret.</summary>
public sealed record ExportStatusResponse(
    string Destination, long Queued, long Delivered, long Dropped, int FailedAttempts,
    string? LastError, DateTimeOffset? LastErrorTime, DateTimeOffset? LastDelivered, DateTimeOffset? NextAttempt)
{
    /// <summary>The response for a status.</summary>
    public static ExportStatusResponse Of(DestinationStatus status) => new(
        status.Destination, status.Queued, status.Delivered, status.Dropped, status.FailedAttempts,
        status.LastError, status.LastErrorTime, status.LastDelivered, status.NextAttempt);
}
