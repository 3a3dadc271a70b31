using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Permissions;
using Rampart.Posture.Zones;
using Rampart.Server.Cluster;
using Rampart.Server.Gateway;

namespace Rampart.Server.Posture;

/// <summary>
/// Zones across a cluster (issue 15 on issue 18): a confinement, a release from it or a zone move made on another
/// node reaches this one as a <see cref="DeviceZoneChanged"/> on the fleet control relay. In the relay's order, at
/// once, this node's view of the zones takes it (so a quarantine release that follows is released to the confined
/// template, not the full one); then the device is read back from the shared database and, when this node holds a
/// session of it, re-templated as a local change is (<see cref="ZoneSessions"/>: the event and the
/// <c>device.zone-permissions-swapped</c> entry on this node). The database is the truth, not the message: events
/// of two nodes may arrive in either order, and each read comes after the change it follows committed. A remote
/// quarantine or release queues the same read, so a zone swap that read the device just before a quarantine
/// committed is narrowed back. Core NATS misses what is sent while a node is cut off: each time the connection
/// opens again, and every <see cref="ZoneOptions.ClusterResyncInterval"/>, every confinement and each held device's
/// zone and state are read again and what differs is re-templated (docs/scale-out.md, "Zones across nodes").
/// The same read ends what a missed revocation or retirement would leave open (threat model, "Revocation is
/// immediate"): a held session whose certificate the database has revoked, or whose device it has retired, is ended
/// through <see cref="GatewayControl"/> as the relay's message would have. Nothing runs on a node alone.
/// </summary>
public sealed partial class ZoneClusterSync(
    IServiceProvider services, IConfinementStore confinements, IDeviceStore devices, ICertificateStore certificates, ConfinedTemplates zones, ZoneSessions sessions,
    MqttGateway gateway, ZoneOptions options, TimeProvider time, ILogger<ZoneClusterSync> logger) : IRemoteFleetControl, IHostedService, IAsyncDisposable
{
    // Beyond this many devices waiting, one full resync replaces them (a burst of moves must not grow memory without bound).
    private const int MaximumPending = 100_000;
    private readonly ConcurrentDictionary<string, bool> _pending = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private INatsConnection? _nats;
    private int _full;
    private int _disposed;
    private long _resyncs;
    private long _retemplated;
    private long _ended;

    /// <summary>Sessions ended by a resync: their certificate revoked or their device retired while this node did not hear of it.</summary>
    public long Ended => Interlocked.Read(ref _ended);

    /// <summary>Full resyncs done (at a reconnection to NATS or by the interval).</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>Sessions re-templated here for changes made elsewhere (events and resyncs).</summary>
    public long Retemplated => Interlocked.Read(ref _retemplated);

    /// <inheritdoc />
    public int Apply(FleetEvent fleetEvent)
    {
        switch (fleetEvent)
        {
            case DeviceZoneChanged changed:
                // In the relay's order, before the next event (a quarantine release asks LiveTemplateFor).
                zones.Set(changed.DeviceId, changed.Confined);
                if (Holds(changed.DeviceId))
                {
                    zones.Learn(changed.DeviceId, changed.Zone);
                }

                Enqueue(changed.DeviceId, retemplate: true);
                return 0;
            case DeviceAccessChanged { Change: DeviceAccessChange.Quarantined or DeviceAccessChange.Released } access:
                Enqueue(access.DeviceId, retemplate: false);
                return 0;
            default:
                return 0;
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterNode>() is not { Connection: { } nats })
        {
            return Task.CompletedTask;
        }

        _nats = nats;
        nats.ConnectionOpened += OnConnectionOpened;
        _loops.Add(Task.Run(() => RunAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => TickAsync(_stopping.Token)));
        return Task.CompletedTask;
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

        if (_nats is not null)
        {
            _nats.ConnectionOpened -= OnConnectionOpened;
        }

        _signal.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    /// <summary>Asks for a full resync now (what a reconnection to NATS does).</summary>
    public void RequestResync()
    {
        Volatile.Write(ref _full, 1);
        _signal.Writer.TryWrite(true);
    }

    private void Enqueue(string deviceId, bool retemplate)
    {
        if (_pending.Count >= MaximumPending)
        {
            RequestResync();
            return;
        }

        _pending.AddOrUpdate(deviceId, retemplate, (_, queued) => queued || retemplate);
        _signal.Writer.TryWrite(true);
    }

    // A reconnection: whatever was sent while this node was away is missed, so read it all again.
    private ValueTask OnConnectionOpened(object? sender, NatsEventArgs args)
    {
        RequestResync();
        return ValueTask.CompletedTask;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ClusterResyncInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                RequestResync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in _signal.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                // The devices queued first: a resync counted has seen everything queued before it was asked for. Taken
                // out of the queue, then the confinements read once for all of them: that read comes after every change
                // that queued them committed; one queued again after it was taken out is in the next round (its signal).
                var queued = new List<(string DeviceId, bool Retemplate)>();
                foreach (var deviceId in _pending.Keys)
                {
                    if (_pending.TryRemove(deviceId, out var retemplate))
                    {
                        queued.Add((deviceId, retemplate));
                    }
                }

                if (queued.Count > 0)
                {
                    var active = (await confinements.ListAsync(cancellationToken)).Where(c => c.Active).Select(c => c.DeviceId).ToHashSet(StringComparer.Ordinal);
                    foreach (var (deviceId, retemplate) in queued)
                    {
                        await ReconcileAsync(deviceId, active.Contains(deviceId), retemplate, cancellationToken);
                    }
                }

                if (Interlocked.Exchange(ref _full, 0) == 1)
                {
                    await ResyncAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The database briefly away: the next full resync (reconnection or interval) reads everything again.
                LogFailed(logger, exception);
                Volatile.Write(ref _full, 1);
            }
        }
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var active = (await confinements.ListAsync(cancellationToken)).Where(c => c.Active).Select(c => c.DeviceId).ToHashSet(StringComparer.Ordinal);
        // Flipped here: a held one among them is re-templated below (the view no longer differs from the database then).
        var flipped = zones.ConfinedDevices.Where(id => !active.Contains(id)).Concat(active.Where(id => !zones.IsConfined(id))).ToHashSet(StringComparer.Ordinal);
        foreach (var deviceId in flipped)
        {
            zones.Set(deviceId, active.Contains(deviceId));
        }

        await EndRevokedAsync(cancellationToken);
        var held = gateway.Clients.Values.Where(c => c.Identity.Kind == ClientKind.Device).Select(c => c.Identity.Id).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var deviceId in held)
        {
            await ReconcileAsync(deviceId, active.Contains(deviceId), retemplate: flipped.Contains(deviceId), cancellationToken);
        }

        Interlocked.Increment(ref _resyncs);
        LogResynced(logger, active.Count, held.Length);
    }

    // Brings this node's view of one device and its held session to the database's. Without retemplate (a resync, a
    // remote quarantine) the session is re-templated only when something differs, so sessions of unchanged devices
    // (a legacy front door's narrower template among them) are left as they are.
    private async Task ReconcileAsync(string deviceId, bool confined, bool retemplate, CancellationToken cancellationToken)
    {
        var wasConfined = zones.IsConfined(deviceId);
        zones.Set(deviceId, confined);
        var stored = await devices.GetAsync(deviceId, cancellationToken);
        if (stored is { State: DeviceState.Retired } && Holds(deviceId) && services.GetService<GatewayControl>() is { } control)
        {
            // Retired elsewhere while this node did not hear of it: ended as the relay's message would have.
            Interlocked.Add(ref _ended, control.Apply(new DeviceAccessChanged(time.GetUtcNow(), deviceId, DeviceAccessChange.Retired, "retired (read again from the cluster's database)")));
            return;
        }

        if (stored is not { State: DeviceState.Active or DeviceState.Quarantined } device || !Holds(deviceId))
        {
            return;
        }

        var zoneChanged = zones.InventoryZoneOf(deviceId) != device.Zone;
        if (zoneChanged)
        {
            zones.Learn(deviceId, device.Zone);
        }

        var wanted = ZoneSessions.TemplateOf(device, confined).Template.Bind(deviceId);
        var quarantined = PermissionTemplate.Quarantine.Bind(deviceId);
        var stale = Sessions(deviceId).Any(current => device.State == DeviceState.Quarantined ? !Same(current, wanted) : Same(current, quarantined));
        if ((retemplate || stale || zoneChanged || wasConfined != confined) && await sessions.ApplyAsync(device, confined, heldOnly: true) > 0)
        {
            Interlocked.Increment(ref _retemplated);
        }
    }

    // One read of the unexpired revoked serials (what the CRL holds), compared with every held device session's certificate.
    private async Task EndRevokedAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<GatewayControl>() is not { } control)
        {
            return;
        }

        var revoked = (await certificates.ListRevokedUnexpiredAsync(time.GetUtcNow(), cancellationToken)).Select(r => r.SerialHex).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (revoked.Count == 0)
        {
            return;
        }

        var sessions = gateway.Clients.Values.Concat(gateway.Registered)
            .Where(c => c.Identity.Kind == ClientKind.Device && revoked.Contains(c.Identity.CertificateSerial))
            .Select(c => (c.Identity.Id, c.Identity.CertificateSerial)).Distinct().ToArray();
        foreach (var (deviceId, serial) in sessions)
        {
            Interlocked.Add(ref _ended, control.Apply(new CertificateRevoked(time.GetUtcNow(), serial, "device", deviceId, "revoked (read again from the cluster's database)")));
        }
    }

    private bool Holds(string deviceId) => Sessions(deviceId).Any();

    private IEnumerable<TopicPermissions> Sessions(string deviceId) =>
        gateway.Clients.Values.Concat(gateway.Registered)
            .Where(c => c.Identity.Kind == ClientKind.Device && c.Identity.Id == deviceId)
            .Select(c => c.Permissions);

    private static bool Same(TopicPermissions a, TopicPermissions b) => a.Publish.SequenceEqual(b.Publish) && a.Subscribe.SequenceEqual(b.Subscribe);

    [LoggerMessage(EventId = 18006, Level = LogLevel.Warning, Message = "Zones could not be brought up to date with the cluster's database; every zone is read again at the next resync")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 18007, Level = LogLevel.Debug, Message = "Zones read again from the cluster's database: {Confined} confined device(s), {Held} held device(s) checked")]
    private static partial void LogResynced(ILogger logger, int confined, int held);
}
