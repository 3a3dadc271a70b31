using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Broker;
using Rampart.Pki.Authority;
using Rampart.Pki.Trust;
using Rampart.Server.Gateway.Tls;

namespace Rampart.Server.Gateway;

/// <summary>
/// The MQTT front door: a connection that passed mutual TLS gets its identity from its certificate
/// (never from the packet), a CONNACK that says why when it is refused, and a policy that rules on
/// everything it does. Refusals before MQTT (no certificate, foreign CA, handshake failures, the
/// connection caps) are recorded here too, within a budget.
/// </summary>
public sealed partial class MqttGateway : IDisposable
{
    private const string HandledKey = "rampart.mqtt.handled";
    private const string LeaseKey = "rampart.mqtt.unauthenticated";
    private const string PendingKey = "rampart.mqtt.pending";

    private readonly GatewayOptions _options;
    private readonly MqttTlsOptions _tlsOptions;
    private readonly ClientIdentityResolver _resolver;
    private readonly CertificateAuthority _authority;
    private readonly ILogger<MqttGateway> _logger;
    private readonly ServiceClientIds _serviceIds;
    private readonly ConcurrentDictionary<GatewayClientPolicy, byte> _registered = new();
    private volatile Tuple<int, X509ChainPolicy>? _chainPolicy;
    private readonly IReadOnlyDictionary<string, Rampart.Fleet.Permissions.ServicePermissions> _services;
    private long _faults;

    // The connection whose handshake is running, for the certificate callback, which Kestrel gives no connection.
    private static readonly AsyncLocal<ConnectionContext?> CurrentConnection = new();

    public MqttGateway(
        IOptions<GatewayOptions> options, IOptions<BrokerOptions> brokerOptions, CertificateAuthority authority, ICertificateStore certificates,
        IDeviceStore devices, ServiceClientIds serviceIds, GatewayEventTap events, TrafficCounters traffic, TimeProvider time, ILogger<MqttGateway> logger,
        IEnumerable<IDeviceTemplatePolicy>? templates = null, IOptions<MqttTlsOptions>? tlsOptions = null)
    {
        _options = options.Value;
        _tlsOptions = tlsOptions?.Value ?? new MqttTlsOptions();
        VerifiedCertificates = new VerifiedCertificateCache(_tlsOptions.VerifiedCertificateCacheSize);
        _authority = authority;
        _logger = logger;
        _serviceIds = serviceIds;
        Events = events;
        Traffic = traffic;
        Broker = new MqttBroker(brokerOptions.Value, time);
        Unauthenticated = new SourceLimiter(_options.MaxUnauthenticatedPerSource);
        Connections = new ConnectionCap(_options.MaxConnections);
        PendingConnects = new ConnectionCap(_options.MaxPendingConnects);
        Limits = new IdentityLimitCache(_options, time);
        Refusals = new RefusalRecorder(_options, events, time, logger);
        _services = _options.ServicePermissions();
        _resolver = new ClientIdentityResolver(authority, certificates, devices, _services, time, templates?.ToArray());
    }

    public MqttBroker Broker { get; }

    public GatewayEventTap Events { get; }

    public TrafficCounters Traffic { get; }

    public SourceLimiter Unauthenticated { get; }

    /// <summary>Connections being admitted now (TLS handshake and CONNECT decision), bounded by <see cref="GatewayOptions.MaxPendingConnects"/>.</summary>
    public ConnectionCap PendingConnects { get; }

    /// <summary>CONNECTs refused with "server busy" because too many connections were being admitted at once.</summary>
    public long BusyRefusals => Interlocked.Read(ref _busyRefusals);

    private long _busyRefusals;

    /// <summary>Connections open on the listener, from all sources, against <see cref="GatewayOptions.MaxConnections"/>.</summary>
    public ConnectionCap Connections { get; }

    /// <summary>Each identity's limits, kept across its connections.</summary>
    public IdentityLimitCache Limits { get; }

    /// <summary>Refusals before an identity, recorded within a budget.</summary>
    public RefusalRecorder Refusals { get; }

    /// <summary>Connections that ended with an unexpected error (a logic bug, logged with its stack trace).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Authenticated connections by client id (those whose CONNECT was accepted).</summary>
    public ConcurrentDictionary<string, GatewayClientPolicy> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Every connection from the moment its CONNECT is being decided until it ends: what live control
    /// must reach (a revocation during the decision included), whether its session exists yet or not.
    /// </summary>
    public IEnumerable<GatewayClientPolicy> Registered => _registered.Keys;

    /// <summary>Connection middleware in front of TLS: the global and per-source caps on connections, and the record of handshakes that failed.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Guard => next => async connection =>
    {
        var source = Source(connection);
        using var slot = Connections.TryEnter();
        if (slot is null)
        {
            Refusals.Record(source, "connection-limit", $"the listener holds its maximum of {_options.MaxConnections} connections");
            connection.Abort();
            return;
        }

        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        using var lease = Unauthenticated.TryEnter(address);
        if (lease is null)
        {
            Refusals.Record(source, "unauthenticated-limit", $"more than {_options.MaxUnauthenticatedPerSource} connections from {address} have not completed CONNECT");
            connection.Abort();
            return;
        }

        connection.Items[LeaseKey] = lease;

        // Held until its CONNECT is decided (or the connection ends first); none left means "server busy".
        using var pending = PendingConnects.TryEnter();
        connection.Items[PendingKey] = pending;
        CurrentConnection.Value = connection;
        await next(connection);
        if (!connection.Items.ContainsKey(HandledKey))
        {
            // The TLS handshake failed: no client certificate, a protocol or suite below policy, plaintext MQTT, a timeout.
            Refusals.Record(source, "tls-handshake-failed", "the TLS handshake did not complete: no client certificate, a protocol or cipher suite below policy, not TLS, or too slow");
        }
    };

    /// <summary>
    /// The chain policy for client certificates: trust only this CA's root, with its issuing CA as the
    /// one intermediate; validity times are judged later against the recorded certificate (so an
    /// expired device hears why), revocation from the live state rather than a CRL download.
    /// </summary>
    public X509ChainPolicy ClientChainPolicy()
    {
        // Rebuilt after a live issuing CA rollover (the authority's generation moves), so the new CA's
        // certificates are accepted from the swap on and the old one's still are during the overlap.
        var generation = _authority.Generation;
        if (_chainPolicy is { } cached && cached.Item1 == generation)
        {
            return cached.Item2;
        }

        // A reference swapped whole, so a concurrent handshake never reads a generation with another's policy.
        var policy = FixedRootChain.Policy(_authority.Root, _authority.TrustedIssuers, ignoreValidity: true);
        _chainPolicy = Tuple.Create(generation, policy);
        return policy;
    }

    /// <summary>
    /// The certificate check of the TLS handshake (a certificate is required): the chain the handshake
    /// built under <see cref="ClientChainPolicy"/> must end in this CA's root through its issuing CA.
    /// A foreign certificate fails the handshake and is recorded with the source, which the guard in
    /// front of TLS makes known to this callback.
    /// </summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var chained = (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0
            && chain is not null && _authority.TrustedIssuers.Any(issuer => FixedRootChain.IsPath(chain, _authority.Root, [issuer]));
        if (chained)
        {
            return true;
        }

        RefuseForeign($"certificate '{certificate.Subject}'");
        return false;
    }

    /// <summary>Serves one connection that completed TLS.</summary>
    public async Task HandleAsync(ConnectionContext connection)
    {
        connection.Items[HandledKey] = true;
        var source = Source(connection);
        var lease = connection.Items.TryGetValue(LeaseKey, out var held) ? held as SourceLimiter.Lease : null;
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var pending = connection.Items.TryGetValue(PendingKey, out var slot) ? slot as IDisposable : null;
        ClientIdentity? identity = null;
        ClientRefusal? refusal = null;
        try
        {
            // Past the admission backlog nothing is looked up: the CONNECT gets "server busy" (AdmitAsync).
            if (pending is not null)
            {
                (identity, refusal) = await _resolver.ResolveAsync(certificate, connection.ConnectionClosed, chainVerified: true);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Kestrel asks connections to close at shutdown; v5 clients then get DISCONNECT 0x8B. (A client
        // closing its side is seen by the broker as the end of its input, not as this token.)
        var stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        var attempt = new ConnectAttempt(source, certificate, identity, refusal, lease);
        try
        {
            // On the OpenSSL path the certificate is this connection's own copy: freed once the CONNECT is
            // decided, so an idle connection holds no parsed certificate (its serial lives on in the identity).
            var owned = connection.Features.Get<ITlsConnectionFeature>() is OpenSslTlsFeature;
            await Broker.RunConnectionAsync(connection.Transport, source, async (connect, cancellationToken) =>
            {
                try
                {
                    return await AdmitAsync(attempt, pending, connect, cancellationToken);
                }
                finally
                {
                    if (owned)
                    {
                        certificate?.Dispose();
                    }
                }
            }, stopping);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A logic bug, not something the client did: surfaced with its stack trace and counted.
            Interlocked.Increment(ref _faults);
            LogConnectionFailed(_logger, source, identity?.Principal ?? "-", exception);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Broker.Dispose();
        _openSsl?.Dispose();
    }

    private static string Source(ConnectionContext connection) => connection.RemoteEndPoint?.ToString() ?? "unknown";

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "MQTT connection from {Source} ({Principal}) ended with an unexpected error")]
    private static partial void LogConnectionFailed(ILogger logger, string source, string principal, Exception exception);
}
