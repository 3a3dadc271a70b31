using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Updates;

namespace Rampart.Server.Updates;

/// <summary>
/// At node start, removes the TUF targets of releases that were never recorded: a release's targets
/// are published before its row and audit entry commit (<see cref="ReleaseService.AddAsync"/>), so a
/// node killed between the two leaves targets that no release names. They grant nothing, but they are
/// signed, served and kept for ever; this takes them out of a new targets version and deletes their
/// files. Runs before the listeners open (hosted services start in order, the web server last), so no
/// release is being added meanwhile.
/// </summary>
public sealed partial class OrphanReleaseTargets(TufRepository repository, IReleaseStore releases, ILogger<OrphanReleaseTargets> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var orphans = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in (await repository.ReleaseTargetsAsync(cancellationToken)).GroupBy(pair => pair.Value, StringComparer.Ordinal))
        {
            if (await releases.GetAsync(group.Key, cancellationToken) is null)
            {
                orphans.UnionWith(group.Select(pair => pair.Key));
            }
        }

        if (orphans.Count > 0 && await repository.RemoveTargetsAsync(orphans, cancellationToken) is { Count: > 0 } removed)
        {
            Removed(logger, removed.Count, string.Join(", ", removed.Order(StringComparer.Ordinal)));
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "TUF: removed {Count} target(s) of releases that were never recorded (left by an interrupted release): {Targets}")]
    private static partial void Removed(ILogger logger, int count, string targets);
}
