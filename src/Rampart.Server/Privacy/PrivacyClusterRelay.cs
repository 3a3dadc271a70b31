using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Privacy;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Subjects;
using Rampart.Server.Cluster;

namespace Rampart.Server.Privacy;

/// <summary>
/// Subject and consent changes across a cluster (issue 19 §7, on the fabric of issue 15 like the
/// fleet control relay's revocations): a change committed here goes out on <c>PREFIX.ctl.privacy</c>
/// as the subject's pseudonym only (never its id or fields); every other node reloads that subject
/// from the shared database into its delivery path's directory, so a withdrawn consent stops delivery
/// to services on every node at once, and an erased subject's cached data key is forgotten there.
/// Core NATS delivers to the nodes connected when the message is sent: a node cut off then misses it,
/// so it catches up from the shared store, reloading every subject, each time its connection to NATS
/// opens again and every <see cref="PrivacyOptions.ClusterResyncInterval"/> (docs/privacy.md,
/// "Cluster"). Nothing runs on a node alone.
/// </summary>
public sealed partial class PrivacyClusterRelay(
    IServiceProvider services, SubjectChanges changes, SubjectService subjects, SubjectKeys keys, PrivacyOptions options, TimeProvider time, ILogger<PrivacyClusterRelay> logger)
    : IHostedService, IAsyncDisposable
{
    private const string OriginHeader = "Rampart-Origin";
    private readonly Channel<string> _outgoing = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly List<Task> _loops = [];
    private readonly Channel<bool> _resync = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private INatsSub<byte[]>? _remote;
    private INatsConnection? _nats;
    private long _applied;
    private long _resyncs;
    private int _disposed;

    /// <summary>Changes from other nodes applied here.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Times every subject was reloaded from the store (on reconnection or by the interval).</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterNode>() is not { Connection: { } nats } || services.GetService<ClusterSettings>() is not { } settings)
        {
            return;
        }

        var subject = settings.Prefix + ".ctl.privacy";
        _remote = await nats.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cancellationToken);
        changes.Changed += Enqueue;
        _loops.Add(Task.Run(() => ForwardAsync(nats, subject, settings.NodeId)));
        _loops.Add(Task.Run(() => ApplyAsync(_remote, settings.NodeId)));
        _nats = nats;
        nats.ConnectionOpened += OnConnectionOpened;
        _loops.Add(Task.Run(() => ResyncAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => TickAsync(_stopping.Token)));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Stopped by the host, then disposed by the container: the second call has nothing left to do.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        changes.Changed -= Enqueue;
        if (_nats is not null)
        {
            _nats.ConnectionOpened -= OnConnectionOpened;
        }

        _outgoing.Writer.TryComplete();
        _resync.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_remote is not null)
        {
            await _remote.DisposeAsync();
            _remote = null;
        }

        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private void Enqueue(string pseudonym) => _outgoing.Writer.TryWrite(pseudonym);

    private async Task ForwardAsync(INatsConnection nats, string subject, string nodeId)
    {
        await foreach (var pseudonym in _outgoing.Reader.ReadAllAsync())
        {
            try
            {
                await nats.PublishAsync(subject, JsonSerializer.SerializeToUtf8Bytes(new SubjectChangedMessage(pseudonym)), new NatsHeaders { [OriginHeader] = nodeId });
            }
            catch (NatsException exception)
            {
                LogForwardFailed(logger, pseudonym, exception.Message);
            }
        }
    }

    private async Task ApplyAsync(INatsSub<byte[]> subscription, string nodeId)
    {
        await foreach (var message in subscription.Msgs.ReadAllAsync())
        {
            if (message.Headers is null || !message.Headers.TryGetValue(OriginHeader, out var origin) || origin.ToString() == nodeId)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<SubjectChangedMessage>(message.Data ?? []) is { Pseudonym: { Length: > 0 and <= 128 } pseudonym })
                {
                    if (!await subjects.ReloadAsync(pseudonym, CancellationToken.None))
                    {
                        keys.Forget(pseudonym);
                    }

                    Interlocked.Increment(ref _applied);
                    LogApplied(logger, pseudonym, origin.ToString());
                }
            }
            catch (JsonException exception)
            {
                LogUnreadable(logger, origin.ToString(), exception.Message);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // One change that fails to load (the database briefly away) does not stop the next.
                LogApplyFailed(logger, origin.ToString(), exception);
            }
        }
    }

    // A reconnection: whatever was sent while this node was away is missed, so reload it all.
    private ValueTask OnConnectionOpened(object? sender, NatsEventArgs args)
    {
        _resync.Writer.TryWrite(true);
        return ValueTask.CompletedTask;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ClusterResyncInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                _resync.Writer.TryWrite(true);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in _resync.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (await subjects.ResyncDirectoryAsync(cancellationToken) is { } gone)
                {
                    foreach (var pseudonym in gone)
                    {
                        keys.Forget(pseudonym);
                    }

                    Interlocked.Increment(ref _resyncs);
                    LogResynced(logger, gone.Count);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The store briefly away: the next reconnection or tick tries again.
                LogResyncFailed(logger, exception);
            }
        }
    }

    /// <summary>The wire form: the pseudonym of the subject that changed.</summary>
    internal sealed record SubjectChangedMessage(string Pseudonym);

    [LoggerMessage(EventId = 4921, Level = LogLevel.Debug, Message = "subject {Pseudonym} changed on node {Node}: reloaded")]
    private static partial void LogApplied(ILogger logger, string pseudonym, string node);

    [LoggerMessage(EventId = 4922, Level = LogLevel.Error, Message = "the change of subject {Pseudonym} could not be sent to the other nodes: {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string pseudonym, string reason);

    [LoggerMessage(EventId = 4923, Level = LogLevel.Warning, Message = "a subject change from node {Node} is unreadable: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 4925, Level = LogLevel.Information, Message = "every subject reloaded from the store ({Forgotten} erased meanwhile forgotten)")]
    private static partial void LogResynced(ILogger logger, int forgotten);

    [LoggerMessage(EventId = 4926, Level = LogLevel.Warning, Message = "subjects could not be reloaded from the store; the next reconnection or interval tries again")]
    private static partial void LogResyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4924, Level = LogLevel.Error, Message = "a subject change from node {Node} could not be applied")]
    private static partial void LogApplyFailed(ILogger logger, string node, Exception exception);
}
