using System.Collections.Concurrent;
using System.Globalization;
using Rampart.Adapters.Links;
using Rampart.Mqtt.Broker;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// One node for a class of front-door tests (xUnit class fixture), its CoAP listener on a free UDP
/// port, and every message the broker routes under <c>devices/</c>, seen in process with its
/// publisher and properties.
/// </summary>
public class AdapterNode : IAsyncLifetime
{
    private IDisposable? _observer;

    internal GatewayNode Node { get; private set; } = null!;

    /// <summary>Settings a derived fixture adds to (or changes in) the node's.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Routed messages by topic, in order.</summary>
    public ConcurrentQueue<MqttMessage> Routed { get; } = new();

    public string Https => Node.Node.Node.HttpsUri.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rampart:Coap"] = "127.0.0.1:0",
            ["Rampart:Adapters:LegacyMessageBurst"] = "3",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        Node = await GatewayNode.StartAsync(settings);
        _observer = Node.Get<Server.Gateway.MqttGateway>().Broker.Observe("devices/#", Routed.Enqueue);
    }

    public async Task DisposeAsync()
    {
        _observer?.Dispose();
        await Node.DisposeAsync();
    }

    /// <summary>Waits for a routed message on <paramref name="topic"/>.</summary>
    public async Task<MqttMessage> RoutedAsync(string topic)
    {
        MqttMessage? found = null;
        await Eventually.HoldsAsync(() => Task.FromResult((found = Routed.FirstOrDefault(m => m.Topic == topic)) is not null), $"a message on {topic}");
        return found!;
    }

    /// <summary>Waits until the device's broker link is open (its command subscription is in place).</summary>
    public Task LinkOpenAsync(string deviceId) =>
        Eventually.HoldsAsync(() => Task.FromResult(Node.Get<DeviceLinks>().Find(deviceId) is not null), $"the link of {deviceId}");

    /// <summary>curl with the device's certificate and the node's root; <c>-w</c> prints the status last.</summary>
    internal Task<(int Status, string Body)> CurlAsync(EnrolledIdentity? device, string method, string path, params string[] extra) =>
        CurlAsync(Node, device, method, path, extra);

    /// <summary>curl against <paramref name="node"/> (a node of a test's own, restarted or one of several).</summary>
    internal static Task<(int Status, string Body)> CurlAsync(GatewayNode node, EnrolledIdentity? device, string method, string path, params string[] extra) =>
        CurlAsync(node.RootPemPath, node.Node.Node.HttpsUri, device, method, path, extra);

    /// <summary>curl against the node at <paramref name="https"/> whose devices' CA is <paramref name="rootPem"/> (a node of a cluster).</summary>
    internal static async Task<(int Status, string Body)> CurlAsync(string rootPem, Uri https, EnrolledIdentity? device, string method, string path, params string[] extra)
    {
        string[] identity = device is null ? [] : ["--cert", device.CertificatePath, "--key", device.KeyPath];
        var (exit, output) = await RunningProcess.RunAsync("curl",
            ["-sS", "--cacert", rootPem, .. identity, "-X", method, "-w", "\n%{http_code}", .. extra, https.ToString().TrimEnd('/') + path], TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
        var split = output.TrimEnd().LastIndexOf('\n');
        return (int.Parse(output[(split + 1)..].Trim(), CultureInfo.InvariantCulture), split < 0 ? string.Empty : output[..split]);
    }
}
