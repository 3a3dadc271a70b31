using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
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
/// Core NATS: a node cut off when the message is sent misses it and holds the subject as it loaded it
/// until the next change or restart (docs/privacy.md). Nothing runs on a node alone.
/// </summary>
public sealed partial class PrivacyClusterRelay(IServiceProvider services, SubjectChanges changes, SubjectService subjects, SubjectKeys keys, ILogger<PrivacyClusterRelay> logger)
    : IHostedService, IAsyncDisposable
{
    private const string OriginHeader = "Rampart-Origin";
    private readonly Channel<string> _outgoing = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly List<Task> _loops = [];
    private INatsSub<byte[]>? _remote;
    private long _applied;

    /// <summary>Changes from other nodes applied here.</summary>
    public long Applied => Interlocked.Read(ref _applied);

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
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        changes.Changed -= Enqueue;
        _outgoing.Writer.TryComplete();
        if (_remote is not null)
        {
            await _remote.DisposeAsync();
            _remote = null;
        }

        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    /// <summary>The wire form: the pseudonym of the subject that changed.</summary>
    internal sealed record SubjectChangedMessage(string Pseudonym);

    [LoggerMessage(EventId = 4921, Level = LogLevel.Debug, Message = "subject {Pseudonym} changed on node {Node}: reloaded")]
    private static partial void LogApplied(ILogger logger, string pseudonym, string node);

    [LoggerMessage(EventId = 4922, Level = LogLevel.Error, Message = "the change of subject {Pseudonym} could not be sent to the other nodes: {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string pseudonym, string reason);

    [LoggerMessage(EventId = 4923, Level = LogLevel.Warning, Message = "a subject change from node {Node} is unreadable: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 4924, Level = LogLevel.Error, Message = "a subject change from node {Node} could not be applied")]
    private static partial void LogApplyFailed(ILogger logger, string node, Exception exception);
}
