using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Rampart.Cluster.Control;
using Rampart.Cluster.Fabric;
using Rampart.Fleet.Monitoring;
using Rampart.Server.Cluster.Sessions;
using Rampart.Server.Gateway;
using Rampart.Server.Hosting;

namespace Rampart.Server.Cluster;

/// <summary>
/// This node on the cluster fabric: one NATS connection, the broker fabric (MQTT across nodes,
/// session takeover) and the fleet control relay (revocation, retirement, quarantine on whichever
/// node holds the session). Started before the listeners open, so no session misses it; a node whose
/// NATS is unreachable at start refuses to start, naming the servers.
/// </summary>
public sealed partial class ClusterNode : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private readonly ClusterSettings _settings;
    private readonly MqttGateway _gateway;
    private readonly GatewayControl _control;
    private readonly FleetEventStream _stream;
    private readonly ILoggerFactory _loggers;
    private NatsConnection? _nats;
    private NatsBrokerFabric? _fabric;
    private FleetControlRelay? _relay;

    private readonly RetainedPersistence? _retained;
    private readonly IServiceProvider _services;

    public ClusterNode(ClusterSettings settings, MqttGateway gateway, GatewayControl control, FleetEventStream stream, ILoggerFactory loggers, IServiceProvider services)
    {
        _retained = services.GetService<RetainedPersistence>();
        _services = services;
        _settings = settings;
        _gateway = gateway;
        _control = control;
        _stream = stream;
        _loggers = loggers;
    }

    /// <summary>The broker fabric, once started.</summary>
    public NatsBrokerFabric? Fabric => _fabric;

    /// <summary>The node's NATS connection once started, for relays of other capabilities (privacy's subject changes).</summary>
    public INatsConnection? Connection => _nats;

    /// <summary>True while the NATS connection is open.</summary>
    public bool Connected => _nats?.ConnectionState == NatsConnectionState.Open;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = _loggers.CreateLogger<ClusterNode>();
        _nats = new NatsConnection(new NatsOpts
        {
            Url = string.Join(',', _settings.Nats.Select(uri => uri.ToString().TrimEnd('/'))),
            Name = "rampart-" + _settings.NodeId,
            ConnectTimeout = ConnectTimeout,
            AuthOpts = _settings.CredentialsFile is { } creds ? new NatsAuthOpts { CredsFile = creds } : NatsAuthOpts.Default,
            LoggerFactory = _loggers,

            // Queue groups must hear this node's own messages (a member here may be the one chosen).
            Echo = true,
        });
        try
        {
            await _nats.ConnectAsync();

            // Retained changes made elsewhere while this node was cut off did not reach it: read the store again.
            _nats.ConnectionOpened += (_, _) =>
            {
                _retained?.CatchUp();
                return ValueTask.CompletedTask;
            };
        }
        catch (NatsException exception)
        {
            await _nats.DisposeAsync();
            throw new NodeStartupException($"{ClusterOptions.Section}:Nats: no NATS server reachable at {string.Join(", ", _settings.Nats)} ({exception.Message})", exception);
        }

        var options = _settings.FabricOptions(await DurableAsync(logger));
        _fabric = new NatsBrokerFabric(_nats, _gateway.Broker, options, _loggers.CreateLogger<NatsBrokerFabric>());
        await _fabric.StartAsync(cancellationToken);
        // The gateway's control first, then the capabilities' (zones: issue 18), each with the same event in the same order.
        var others = _services.GetServices<IRemoteFleetControl>().ToArray();
        int Apply(FleetEvent fleetEvent) => _control.Apply(fleetEvent) + others.Sum(other => other.Apply(fleetEvent));
        _relay = new FleetControlRelay(_nats, _stream, Apply, _settings.NodeId, _settings.Prefix, _loggers.CreateLogger<FleetControlRelay>());
        await _relay.StartAsync(cancellationToken);
        LogJoined(logger, _settings.NodeId, _settings.Prefix, string.Join(", ", _settings.Nats));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    // JetStream when the server has it (auto) or must have it (required); a node without it is at most once across nodes.
    private async Task<DurableStreamOptions?> DurableAsync(ILogger logger)
    {
        if (_settings.JetStream == "off")
        {
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await new NATS.Client.JetStream.NatsJSContext(_nats!).GetAccountInfoAsync(timeout.Token);
            LogDurable(logger, _settings.Durable.Replicas, _settings.Durable.MaxAge);
            return _settings.Durable;
        }
        catch (Exception exception)
        {
            if (_settings.JetStream == "required")
            {
                await _nats!.DisposeAsync();
                _nats = null;
                throw new NodeStartupException($"{ClusterOptions.Section}:JetStream is required, but the NATS server has no JetStream ({exception.Message}); start nats-server with -js (see docs/scale-out.md)", exception);
            }

            LogNoJetStream(logger, exception.Message);
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
            _relay = null;
        }

        if (_fabric is not null)
        {
            await _fabric.DisposeAsync();
            _fabric = null;
        }

        if (_nats is not null)
        {
            await _nats.DisposeAsync();
            _nats = null;
        }
    }

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "durable QoS 1/2 across nodes: JetStream stream with {Replicas} replica(s), kept {MaxAge}")]
    private static partial void LogDurable(ILogger logger, int replicas, TimeSpan maxAge);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "the NATS server has no JetStream ({Reason}): QoS 1 and 2 messages cross nodes at most once; start nats-server with -js for durable delivery (Rampart:Cluster:JetStream=required enforces it)")]
    private static partial void LogNoJetStream(ILogger logger, string reason);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "cluster fabric joined as node {NodeId} (prefix {Prefix}) on {Servers}")]
    private static partial void LogJoined(ILogger logger, string nodeId, string prefix, string servers);
}

/// <summary>The validated cluster settings of a node.</summary>
public sealed record ClusterSettings(IReadOnlyList<Uri> Nats, string NodeId, string Prefix, string? CredentialsFile)
{
    /// <summary><c>auto</c>, <c>required</c> or <c>off</c> (<see cref="ClusterOptions.JetStream"/>).</summary>
    public string JetStream { get; init; } = "auto";

    /// <summary>The stream's settings, when JetStream is not off.</summary>
    public DurableStreamOptions Durable { get; init; } = new();

    /// <summary>Send only what another node announced interest in (<see cref="ClusterOptions.AnnouncedInterest"/>).</summary>
    public bool AnnouncedInterest { get; init; } = true;

    /// <summary>How often this node announces its whole interest.</summary>
    public TimeSpan InterestSnapshotInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads <c>Rampart:Cluster</c>; null for a node alone (no NATS).</summary>
    public static ClusterSettings? From(IConfiguration configuration)
    {
        var nats = StorageSettings.From(configuration).Nats;
        if (nats.Count == 0)
        {
            return null;
        }

        var cluster = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var settings = new ClusterSettings(nats, cluster.NodeId ?? Environment.MachineName.ToLowerInvariant().Replace('.', '-') + "-" + Guid.NewGuid().ToString("N")[..8],
            cluster.Prefix ?? "rampart", cluster.CredentialsFile);
        var defaults = new DurableStreamOptions();
        settings = settings with
        {
            JetStream = (cluster.JetStream ?? "auto").Trim().ToLowerInvariant(),
            AnnouncedInterest = cluster.AnnouncedInterest ?? true,
            InterestSnapshotInterval = cluster.InterestSnapshotInterval ?? TimeSpan.FromSeconds(30),
            Durable = new DurableStreamOptions
            {
                Replicas = cluster.JetStreamReplicas ?? defaults.Replicas,
                MaxAge = cluster.JetStreamMaxAge ?? defaults.MaxAge,
                MaxBytes = cluster.JetStreamMaxBytes ?? defaults.MaxBytes,
                ReplayMargin = cluster.ReplayMargin ?? defaults.ReplayMargin,
            },
        };
        var problem = settings.JetStream is not ("auto" or "required" or "off")
            ? "JetStream: auto, required or off"
            : settings.FabricOptions(settings.Durable).Problem();
        if (problem is null && settings.CredentialsFile is { } creds && !File.Exists(creds))
        {
            problem = "CredentialsFile: no such file";
        }

        // Secure by default: whoever can publish under the cluster prefix can inject messages into
        // every node and cut sessions off, so a fabric beyond loopback needs TLS and credentials.
        if (problem is null && nats.FirstOrDefault(uri => !IsLoopback(uri)) is { } remote && (remote.Scheme != "tls" || settings.CredentialsFile is null))
        {
            problem = $"Nats: {remote.Host} is not on loopback, so the fabric needs tls:// URLs and a CredentialsFile (per-node NATS credentials); see docs/scale-out.md";
        }

        return problem is null ? settings : throw new NodeStartupException($"invalid settings: {ClusterOptions.Section}:{problem}");
    }

    /// <summary>The fabric's options for these settings.</summary>
    public ClusterFabricOptions FabricOptions(DurableStreamOptions? durable) => new()
    {
        NodeId = NodeId, Prefix = Prefix, Durable = durable, AnnouncedInterest = AnnouncedInterest, InterestSnapshotInterval = InterestSnapshotInterval,
    };

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
}

/// <summary>Registers the cluster fabric when <c>Rampart:Cluster:Nats</c> is set.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Checks the cluster, PROXY protocol and session settings before the node touches its data
    /// directory, so a bad one stops the start with its name and leaves no file behind.
    /// </summary>
    public static void Check(IConfiguration configuration)
    {
        ClusterSettings.From(configuration);
        LoadBalancer.ProxyProtocolSettings.From(configuration);
        StoredSessionServiceCollectionExtensions.From(configuration);
    }

    public static IServiceCollection AddRampartCluster(this IServiceCollection services, IConfiguration configuration)
    {
        // A node alone may sit behind a load balancer too, so the PROXY protocol does not need NATS.
        if (LoadBalancer.ProxyProtocolSettings.From(configuration) is { } proxies)
        {
            services.AddSingleton(proxies);
        }

        var settings = ClusterSettings.From(configuration);
        services.AddRampartSessions(configuration, settings);
        if (settings is null)
        {
            return services;
        }

        services.AddSingleton(settings);
        services.AddSingleton<ClusterNode>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterNode>());
        return services;
    }
}
