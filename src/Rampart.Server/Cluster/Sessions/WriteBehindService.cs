using Microsoft.Extensions.Hosting;

namespace Rampart.Server.Cluster.Sessions;

/// <summary>
/// What the broker keeps beyond the process (persistent sessions, retained messages) is written
/// behind the same way: every <see cref="SessionStoreOptions.FlushInterval"/> what changed since the
/// last write goes out in one write (one flush at a time), at stop once more after the listeners
/// closed, and every <see cref="SessionStoreOptions.ExpiryInterval"/> what expired is deleted.
/// </summary>
public abstract class WriteBehindService(SessionStoreOptions options, TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>The node's clock.</summary>
    protected TimeProvider Time => time;

    /// <summary>Writes what changed now (the periodic pass, at stop, and for tests).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await WriteChangesAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // The listeners closed before this service stops: the last write records the final state.
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ended the stop: what changed since the previous write is lost,
            // as on kill -9 (docs/scale-out.md), and the rest of the node still stops.
            OnWriteFailed(0, "the node's shutdown timeout (Rampart:ShutdownTimeout) cut the last write short; changes since the previous write are lost");
        }
    }

    /// <summary>Writes what changed since the last write; a failed write keeps the changes for the next one.</summary>
    protected abstract Task WriteChangesAsync(CancellationToken cancellationToken);

    /// <summary>Deletes what expired by <paramref name="now"/> from the store.</summary>
    protected abstract Task DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Before each periodic write (a subclass catching up on what it could not read at start).</summary>
    protected virtual Task BeforeWriteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The store could not be written; <paramref name="count"/> is 0 for the expiry pass.</summary>
    protected abstract void OnWriteFailed(int count, string reason);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.FlushInterval, time);
        var nextExpiry = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await BeforeWriteAsync(stoppingToken);
                await FlushAsync(stoppingToken);
                if (time.GetUtcNow() >= nextExpiry)
                {
                    nextExpiry = time.GetUtcNow() + options.ExpiryInterval;
                    try
                    {
                        await DeleteExpiredAsync(time.GetUtcNow(), stoppingToken);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        OnWriteFailed(0, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes once more.
        }
    }
}
