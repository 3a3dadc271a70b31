using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Gateway;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Server.Gateway;

/// <summary>The CONNECT decision.</summary>
public sealed partial class MqttGateway
{
    // Past the admission backlog the CONNECT is refused before any store is read (5.0 §3.2.2.2 0x89
    // Server busy; the broker sends 3.1.1 clients 0x03 Server unavailable); otherwise it is decided and
    // its admission slot given back, accepted or not.
    private async ValueTask<ConnectDecision> AdmitAsync(ConnectAttempt attempt, IDisposable? pending, ConnectPacket connect, CancellationToken cancellationToken)
    {
        if (pending is null)
        {
            Interlocked.Increment(ref _busyRefusals);
            Refusals.Record(attempt.Source, "server-busy", $"more than {_options.MaxPendingConnects} connections were being admitted at once", attempt.Certificate?.SerialNumber, connect.ClientId);
            return ConnectDecision.Refuse(MqttReasonCode.ServerBusy, "the server is busy admitting other clients: retry later");
        }

        try
        {
            return await DecideAsync(attempt, connect, cancellationToken);
        }
        finally
        {
            pending.Dispose();
        }
    }

    /// <summary>
    /// Decides one CONNECT. 1. The handshake's identity must exist, and the client id must be the
    /// device id (and not one a service pattern reserves) or one of the service's ids. 2. A device
    /// must be within its reconnect rate. 3. The policy is registered where live control finds it,
    /// and only then is the identity resolved again from the stores (revoked? device still active or
    /// quarantined?): a change committed before that read is seen by it, one committed after is
    /// published after, and reaches the registered policy. 4. The broker asks the policy once more
    /// under its session lock (<see cref="GatewayClientPolicy.AuthorizeSession"/>), so a revocation
    /// that lands between this decision and the session's registration refuses it there.
    /// </summary>
    private async ValueTask<ConnectDecision> DecideAsync(ConnectAttempt attempt, ConnectPacket connect, CancellationToken cancellationToken)
    {
        var (source, certificate, identity, refusal, lease) = attempt;
        if (refusal is not null || identity is null)
        {
            Refusals.Record(source, refusal?.Code ?? "no-certificate", refusal?.Message ?? "no client certificate", certificate?.SerialNumber, connect.ClientId);
            return ConnectDecision.Refuse(MqttReasonCode.NotAuthorized, refusal?.Message ?? "not authorized");
        }

        var traffic = Traffic.For(identity.Principal);
        traffic.ConnectionAttempt(source);
        var deviceId = identity.Kind == ClientKind.Device ? identity.Id : null;

        // A service whose settings allow it may leave the client id to us (5.0 §3.2.2.3.7); the id is
        // made within its pattern, so it stays disjoint from device ids like every id the service uses.
        var clientId = connect.ClientId.Length == 0 && identity.Kind == ClientKind.Service
            && _options.Services.TryGetValue(identity.Id, out var serviceOptions) && serviceOptions.AssignClientIds
                ? serviceOptions.NewClientId()
                : connect.ClientId;
        if (ClientIdProblem(identity, clientId) is { } problem)
        {
            Refusals.Record(source, problem.Code, problem.Message, identity.CertificateSerial, connect.ClientId, deviceId);
            return ConnectDecision.Refuse(MqttReasonCode.ClientIdentifierNotValid, problem.Reason);
        }

        // Counted as open at once (atomically with the lookup), so the entry cannot be evicted while this CONNECT is decided.
        var limits = Limits.Open(identity.Principal, identity.Kind);
        if (!limits.TryConnect())
        {
            limits.Closed();
            Refusals.Record(source, "reconnect-rate", $"{identity.Principal} reconnects faster than {_options.DeviceConnectsPerMinute}/min", identity.CertificateSerial, connect.ClientId, deviceId);
            return ConnectDecision.Refuse(MqttReasonCode.ConnectionRateExceeded, $"more than {_options.DeviceConnectsPerMinute} connections per minute");
        }

        var policy = new GatewayClientPolicy(identity, clientId, source, _options, Events, traffic, limits,
            accepted => Clients[accepted.ClientId] = accepted,
            Unregister);
        _registered[policy] = 0;

        (ClientIdentity? Identity, ClientRefusal? Refusal) current;
        try
        {
            current = await _resolver.ResolveAsync(certificate, cancellationToken, chainVerified: true);
        }
        catch
        {
            Unregister(policy);
            throw;
        }

        if (current.Refusal is { } now || current.Identity is null)
        {
            Unregister(policy);
            Refusals.Record(source, current.Refusal?.Code ?? "no-certificate", current.Refusal?.Message ?? "no client certificate", identity.CertificateSerial, connect.ClientId, deviceId);
            return ConnectDecision.Refuse(MqttReasonCode.NotAuthorized, current.Refusal?.Message ?? "not authorized");
        }

        policy.Resolved(current.Identity.Permissions);
        lease?.Dispose();
        return ConnectDecision.Accept(policy, clientId == connect.ClientId ? null : clientId);
    }

    private (string Code, string Message, string Reason)? ClientIdProblem(ClientIdentity identity, string clientId)
    {
        if (identity.Kind == ClientKind.Service)
        {
            return _services.TryGetValue(identity.Id, out var service) && service.AllowsClientId(clientId)
                ? null
                : ("wrong-client-id", $"{identity.Principal} may not use client id '{clientId}'", $"client id '{clientId}' is not one service {identity.Id} may use");
        }

        if (clientId != identity.Id)
        {
            return ("wrong-client-id", $"{identity.Principal} may not use client id '{clientId}'", $"the client id must be the device id '{identity.Id}'");
        }

        // Registered before a service pattern came to cover it: device and service client ids stay disjoint.
        return _serviceIds.Reserved(identity.Id) is { } reserved
            ? ("id-reserved-for-service", $"{identity.Principal}: device id {reserved}", $"device id {reserved}")
            : null;
    }

    private void Unregister(GatewayClientPolicy policy)
    {
        if (_registered.TryRemove(policy, out _))
        {
            policy.Limits.Closed();
        }

        Clients.TryRemove(new KeyValuePair<string, GatewayClientPolicy>(policy.ClientId, policy));
    }

    private sealed record ConnectAttempt(string Source, X509Certificate2? Certificate, ClientIdentity? Identity, ClientRefusal? Refusal, SourceLimiter.Lease? Lease);
}
