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
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Protocol;
using Rampart.Pki.Authority;

namespace Rampart.Server.Gateway;

/// <summary>
/// The MQTT front door: a connection that passed mutual TLS gets its identity from its certificate
/// (never from the packet), a CONNACK that says why when it is refused, and a policy that rules on
/// everything it does. Refusals before MQTT (no certificate, foreign CA, handshake failures, too
/// many half-open connections) are recorded here too.
/// </summary>
public sealed partial class MqttGateway : IDisposable
{
    private const string HandledKey = "rampart.mqtt.handled";
    private const string LeaseKey = "rampart.mqtt.unauthenticated";

    private readonly GatewayOptions _options;
    private readonly ClientIdentityResolver _resolver;
    private readonly CertificateAuthority _authority;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttGateway> _logger;
    private readonly TokenBucket _refusalEvents;
    private readonly Lock _refusalLock = new();
    private X509ChainPolicy? _chainPolicy;
    private readonly IReadOnlyDictionary<string, Rampart.Fleet.Permissions.ServicePermissions> _services;

    // The connection whose handshake is running, for the certificate callback, which Kestrel gives no connection.
    private static readonly AsyncLocal<ConnectionContext?> CurrentConnection = new();

    public MqttGateway(
        IOptions<GatewayOptions> options, IOptions<BrokerOptions> brokerOptions, CertificateAuthority authority, ICertificateStore certificates,
        IDeviceStore devices, GatewayEventTap events, TrafficCounters traffic, TimeProvider time, ILogger<MqttGateway> logger)
    {
        _options = options.Value;
        _authority = authority;
        _time = time;
        _logger = logger;
        Events = events;
        Traffic = traffic;
        Broker = new MqttBroker(brokerOptions.Value, time);
        Unauthenticated = new SourceLimiter(_options.MaxUnauthenticatedPerSource);
        _services = _options.ServicePermissions();
        _resolver = new ClientIdentityResolver(authority, certificates, devices, _services, time);
        _refusalEvents = new TokenBucket(50, 200, time);
    }

    public MqttBroker Broker { get; }

    public GatewayEventTap Events { get; }

    public TrafficCounters Traffic { get; }

    public SourceLimiter Unauthenticated { get; }

    /// <summary>Authenticated connections by client id.</summary>
    public ConcurrentDictionary<string, GatewayClientPolicy> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>Connection middleware in front of TLS: the per-source cap on connections that have not completed CONNECT, and the record of handshakes that failed.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Guard => next => async connection =>
    {
        var source = Source(connection);
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        using var lease = Unauthenticated.TryEnter(address);
        if (lease is null)
        {
            RecordRefusal(source, "unauthenticated-limit", $"more than {_options.MaxUnauthenticatedPerSource} connections from {address} have not completed CONNECT");
            connection.Abort();
            return;
        }

        connection.Items[LeaseKey] = lease;
        CurrentConnection.Value = connection;
        await next(connection);
        if (!connection.Items.ContainsKey(HandledKey))
        {
            // The TLS handshake failed: no client certificate, a protocol or suite below policy, plaintext MQTT, a timeout.
            RecordRefusal(source, "tls-handshake-failed", "the TLS handshake did not complete: no client certificate, a protocol or cipher suite below policy, not TLS, or too slow");
        }
    };

    /// <summary>
    /// The chain policy for client certificates: trust only this CA's root, with its issuing CA as the
    /// one intermediate; validity times are judged later against the recorded certificate (so an
    /// expired device hears why), revocation from the live state rather than a CRL download.
    /// </summary>
    public X509ChainPolicy ClientChainPolicy() => _chainPolicy ??= new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { _authority.Root },
        ExtraStore = { _authority.Issuing },
        RevocationMode = X509RevocationMode.NoCheck,
        VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid,
        DisableCertificateDownloads = true,
    };

    /// <summary>
    /// The certificate check of the TLS handshake (a certificate is required): the chain the handshake
    /// built under <see cref="ClientChainPolicy"/> must end in this CA's root through its issuing CA.
    /// A foreign certificate fails the handshake and is recorded with the source, which the guard in
    /// front of TLS makes known to this callback.
    /// </summary>
    public bool ValidateClientCertificate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var chained = (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0
            && chain is { ChainElements.Count: 3 }
            && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(_authority.Issuing.RawData)
            && chain.ChainElements[2].Certificate.RawData.AsSpan().SequenceEqual(_authority.Root.RawData);
        if (chained)
        {
            return true;
        }

        if (CurrentConnection.Value is { } connection)
        {
            connection.Items[HandledKey] = true;
            RecordRefusal(Source(connection), "unknown-ca", $"certificate '{certificate.Subject}' was not issued by this Rampart CA");
        }

        return false;
    }

    /// <summary>Serves one connection that completed TLS.</summary>
    public async Task HandleAsync(ConnectionContext connection)
    {
        connection.Items[HandledKey] = true;
        var source = Source(connection);
        var lease = connection.Items.TryGetValue(LeaseKey, out var held) ? held as SourceLimiter.Lease : null;
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        ClientIdentity? identity;
        ClientRefusal? refusal;
        try
        {
            (identity, refusal) = await _resolver.ResolveAsync(certificate, connection.ConnectionClosed, chainVerified: true);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // Kestrel asks connections to close at shutdown; v5 clients then get DISCONNECT 0x8B. (A client
        // closing its side is seen by the broker as the end of its input, not as this token.)
        var stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        var traffic = identity is null ? null : Traffic.For(identity.Principal);
        traffic?.ConnectionAttempt(source);
        await Broker.RunConnectionAsync(connection.Transport, source, connect =>
        {
            if (refusal is not null || identity is null)
            {
                RecordRefusal(source, refusal?.Code ?? "no-certificate", refusal?.Message ?? "no client certificate", certificate?.SerialNumber, connect.ClientId);
                return ConnectDecision.Refuse(MqttReasonCode.NotAuthorized, refusal?.Message ?? "not authorized");
            }

            // The certificate names the client: a device must use its device id, a service one of its configured ids.
            var allowed = identity.Kind == ClientKind.Device
                ? connect.ClientId == identity.Id
                : _services.TryGetValue(identity.Id, out var service) && service.AllowsClientId(connect.ClientId);
            if (!allowed)
            {
                RecordRefusal(source, "wrong-client-id", $"{identity.Principal} may not use client id '{connect.ClientId}'", identity.CertificateSerial, connect.ClientId,
                    identity.Kind == ClientKind.Device ? identity.Id : null);
                return ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid,
                    identity.Kind == ClientKind.Device ? $"the client id must be the device id '{identity.Id}'" : $"client id '{connect.ClientId}' is not one service {identity.Id} may use");
            }

            lease?.Dispose();
            return ConnectDecision.Accept(new GatewayClientPolicy(identity, connect.ClientId, source, _options, Events, traffic!, _time,
                policy => Clients[policy.ClientId] = policy,
                policy => Clients.TryRemove(new KeyValuePair<string, GatewayClientPolicy>(policy.ClientId, policy))));
        }, stopping);
    }

    /// <inheritdoc />
    public void Dispose() => Broker.Dispose();

    private static string Source(ConnectionContext connection) => connection.RemoteEndPoint?.ToString() ?? "unknown";

    private void RecordRefusal(string source, string reason, string detail, string? serial = null, string? clientId = null, string? deviceId = null)
    {
        LogRefused(_logger, source, reason, detail);
        lock (_refusalLock)
        {
            // Refusals come before any identity, so they share one budget; a scan is summarised, not stored in full.
            if (!_refusalEvents.TryTake(1))
            {
                return;
            }
        }

        var details = new Dictionary<string, string> { ["reason"] = reason, ["detail"] = detail };
        if (serial is not null)
        {
            details["serial"] = serial;
        }

        if (clientId is not null)
        {
            details["claimed-client-id"] = clientId;
        }

        Events.Record("gateway.refused", SecuritySeverity.Warning, deviceId, source, details);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "MQTT connection from {Source} refused ({Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string source, string reason, string detail);
}
