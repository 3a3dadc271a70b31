using System.Collections.Concurrent;
using System.IO.Pipelines;
using Rampart.Attack.Probes;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Tests.Broker;

/// <summary>A broker over in-memory pipes with a policy the test controls and observes.</summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    private readonly List<(MqttProbeClient Client, Task Run)> _connections = [];
    private readonly CancellationTokenSource _stop = new();

    public BrokerHarness(BrokerOptions? options = null, TimeProvider? time = null)
    {
        Broker = new MqttBroker(options ?? new BrokerOptions(), time ?? TimeProvider.System);
    }

    public MqttBroker Broker { get; }

    /// <summary>Topics nobody may publish to, filters nobody may subscribe to.</summary>
    public HashSet<string> Forbidden { get; } = [];

    /// <summary>When set, decides publishes before <see cref="Forbidden"/>.</summary>
    public Func<string, int, Admission>? PublishRule { get; set; }

    /// <summary>The principal each CONNECT authenticates as; by default one per client id.</summary>
    public Func<ConnectPacket, string> PrincipalOf { get; set; } = connect => "client:" + connect.ClientId;

    /// <summary>When set, the policy's last word before a session goes live.</summary>
    public Func<Admission>? SessionRule { get; set; }

    /// <summary>When set, runs after a SUBSCRIBE filter was judged and before the broker acts on it (a permission change landing in between).</summary>
    public Action<string>? AfterSubscribeCheck { get; set; }

    public ConcurrentQueue<string> Observed { get; } = new();

    /// <summary>Opens a connection; the CONNECT is up to the test.</summary>
    public MqttProbeClient Open(MqttProtocolVersion version = MqttProtocolVersion.V500, string remote = "10.0.0.1:5000", Func<ConnectPacket, ConnectDecision>? authenticate = null)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var client = MqttProbeClient.Over(toClient.Reader, toServer.Writer, version);
        var run = Broker.RunConnectionAsync(new Duplex(toServer.Reader, toClient.Writer), remote,
            authenticate ?? (connect => ConnectDecision.Accept(new Policy(this, connect.ClientId, PrincipalOf(connect)))), _stop.Token);
        _connections.Add((client, run));
        return client;
    }

    /// <summary>Opens a connection and completes CONNECT, asserting success.</summary>
    public async Task<MqttProbeClient> ConnectAsync(
        string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500, bool cleanStart = true, uint sessionExpiry = 0, ushort? receiveMaximum = null,
        WillMessage? will = null, ushort keepAlive = 60, uint? maximumPacketSize = null)
    {
        var client = Open(version);
        var connAck = await client.ConnectAsync(clientId, cleanStart, keepAlive,
            version == MqttProtocolVersion.V500
                ? new MqttProperties { SessionExpiryInterval = sessionExpiry == 0 ? null : sessionExpiry, ReceiveMaximum = receiveMaximum, MaximumPacketSize = maximumPacketSize }
                : null,
            will);
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        return client;
    }

    /// <summary>Waits until every connection's loop ended: what the broker did must not throw.</summary>
    public async Task AllConnectionsEndAsync()
    {
        await Task.WhenAll(_connections.Select(c => c.Run)).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (client, run) in _connections)
        {
            await client.DisposeAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
                // A policy fault a test provoked and asserted on.
            }
        }

        Broker.Dispose();
        _stop.Dispose();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    internal sealed class Policy(BrokerHarness harness, string clientId, string principal) : IMqttClientPolicy
    {
        public string Principal { get; } = principal;

        public Admission AuthorizeSession() => harness.SessionRule?.Invoke() ?? Admission.Allowed;

        public Admission AuthorizePublish(string topic, int bytes) =>
            harness.PublishRule?.Invoke(topic, bytes)
            ?? (harness.Forbidden.Contains(topic) ? Admission.Deny(MqttReasonCode.NotAuthorized, "forbidden") : Admission.Allowed);

        public Admission AuthorizeSubscribe(string filter)
        {
            var admission = harness.Forbidden.Contains(filter) ? Admission.Deny(MqttReasonCode.NotAuthorized, "forbidden") : Admission.Allowed;
            harness.AfterSubscribeCheck?.Invoke(filter);
            return admission;
        }

        public bool MayKeepSubscription(string filter) => !harness.Forbidden.Contains(filter);

        public void OnConnected(bool sessionPresent, string? tookOverFrom) =>
            harness.Observed.Enqueue($"{clientId} connected present={sessionPresent} over={tookOverFrom ?? "-"}");

        public void OnDelivered(int bytes)
        {
        }

        public void OnDropped(string reason) => harness.Observed.Enqueue($"{clientId} dropped {reason}");

        public void OnClosed(MqttReasonCode reason, string detail) => harness.Observed.Enqueue($"{clientId} closed 0x{(byte)reason:X2}");
    }
}
