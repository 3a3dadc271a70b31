using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>Delivers queued records to one destination, in order.</summary>
public interface IExportSender : IAsyncDisposable
{
    /// <summary>The destination's outbox name: <c>syslog:NAME</c> or <c>webhook:NAME</c>.</summary>
    string Destination { get; }

    /// <summary>Events below this severity are not queued for the destination.</summary>
    SecuritySeverity MinimumSeverity { get; }

    /// <summary>
    /// Sends <paramref name="items"/> in order and stops at the first that fails: the result says
    /// how many of the first were delivered and, when not all, why (a reason for an operator, never a secret).
    /// </summary>
    Task<DeliveryResult> SendAsync(IReadOnlyList<OutboxItem> items, CancellationToken cancellationToken);
}

/// <summary>How many of a batch's first records were delivered, and why the next was not.</summary>
public sealed record DeliveryResult(int Delivered, string? Error);
