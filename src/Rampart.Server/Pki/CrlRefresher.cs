using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Certificates;
using Rampart.Pki.Authority;

namespace Rampart.Server.Pki;

/// <summary>
/// Publishes a CRL at start, whenever a revocation is newer than it, and whenever the current one is due
/// (at least daily; RFC 5280 §5.1.2.5 nextUpdate). On the same tick it ends an issuing CA rollover's
/// overlap on a node that runs past it (docs/keys.md, Rotation): the previous CA is trusted for nothing
/// from then on, and <c>/pki/crl/previous</c> is gone.
/// </summary>
internal sealed partial class CrlRefresher(CrlPublisher publisher, CertificateAuthority authority, TimeProvider time, ILogger<CrlRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan _checkEvery = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_checkEvery, time);
        do
        {
            try
            {
                if (authority.EndOverlapIfDue(time.GetUtcNow()))
                {
                    LogOverlapEnded(logger, authority.Issuing.Subject);
                }

                // A revocation commits before its CRL is signed: after a crash (or a failed
                // publication) in between, the first tick catches up.
                await publisher.PublishIfStaleAsync(stoppingToken);
                await publisher.GetCurrentAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRefreshFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "The issuing CA rollover's overlap ended: only {Issuing} is trusted for device certificates now")]
    private static partial void LogOverlapEnded(ILogger logger, string issuing);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Could not publish the CRL; retrying in 10 minutes")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
