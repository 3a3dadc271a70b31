using System.IO.Pipelines;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Protocol;

namespace Rampart.Bench;

/// <summary>Two pipe ends as the broker's transport, for benches that drive the broker in process.</summary>
internal sealed class BenchDuplex(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}

/// <summary>A policy that allows everything: the benches measure the broker itself, not permissions.</summary>
internal sealed class AllowAllPolicy : IMqttClientPolicy
{
    public static readonly AllowAllPolicy Instance = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> DropCounts = new(StringComparer.Ordinal);

    /// <summary>Messages the broker dropped, by reason (a bench that loses some says why).</summary>
    public static IReadOnlyDictionary<string, long> Drops => DropCounts;

    public string Principal => "bench";

    public Admission AuthorizeSession() => Admission.Allowed;

    public Admission AuthorizePublish(string topic, int bytes) => Admission.Allowed;

    public Admission AuthorizeSubscribe(string filter) => Admission.Allowed;

    public bool MayKeepSubscription(string filter) => true;

    public void OnConnected(bool sessionPresent, string? tookOverFrom)
    {
    }

    public void OnDelivered(int bytes)
    {
    }

    public void OnDropped(string reason) => DropCounts.AddOrUpdate(reason, 1, (_, count) => count + 1);

    public void OnClosed(MqttReasonCode reason, string detail)
    {
    }
}
