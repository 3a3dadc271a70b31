using Rampart.Attack.Probes;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.Gateway;

namespace Rampart.Server.Tests.Privacy;

/// <summary>
/// The settings of the privacy tests' node: regions eu (site berlin) and us (site ohio); services
/// analytics (eu, by consent), support (eu, by contract) and ohio (us, by contract), each allowed to
/// subscribe to all telemetry; a sensitive location family minimised for analytics and support.
/// </summary>
internal static class PrivacyNode
{
    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Rampart:Privacy:Regions:eu:Sites:0"] = "berlin",
            ["Rampart:Privacy:Regions:us:Sites:0"] = "ohio",
            ["Rampart:Privacy:Services:analytics:Region"] = "eu",
            ["Rampart:Privacy:Services:analytics:Purposes:analytics"] = "consent",
            ["Rampart:Privacy:Services:support:Region"] = "eu",
            ["Rampart:Privacy:Services:support:Purposes:support"] = "contract",
            ["Rampart:Privacy:Services:ohio:Region"] = "us",
            ["Rampart:Privacy:Services:ohio:Purposes:support"] = "contract",
            ["Rampart:Privacy:Topics:location:Path"] = "telemetry/location",
            ["Rampart:Privacy:Topics:location:Class"] = "Sensitive",
            ["Rampart:Privacy:Topics:location:Purpose"] = "where the tracker is",
            ["Rampart:Privacy:Minimise:0:Topic"] = "location",
            ["Rampart:Privacy:Minimise:0:Service"] = "analytics",
            ["Rampart:Privacy:Minimise:0:Drop:0"] = "owner",
            ["Rampart:Privacy:Minimise:0:Round:lat"] = "2",
            ["Rampart:Privacy:Minimise:0:Pseudonymise:0"] = "serial",
            ["Rampart:Privacy:Minimise:1:Topic"] = "location",
            ["Rampart:Privacy:Minimise:1:Service"] = "support",
            ["Rampart:Privacy:Minimise:1:Pseudonymise:0"] = "serial",
        };
        foreach (var service in new[] { "analytics", "support", "ohio" })
        {
            settings[$"Rampart:Gateway:Services:{service}:ClientIds"] = service + "-*";
            settings[$"Rampart:Gateway:Services:{service}:Subscribe:0"] = "devices/+/telemetry/#";
        }

        return settings;
    }

    /// <summary>A service connected over mutual TLS and subscribed to every device's telemetry.</summary>
    public static async Task<MqttProbeClient> SubscribedServiceAsync(GatewayNode node, string service)
    {
        var identity = await node.ServiceAsync(service);
        var client = await node.ConnectAsync(identity);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(service + "-1")).ReasonCode);
        Assert.Equal([MqttReasonCode.Success], (await client.SubscribeAsync(1, new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtMostOnce))).ReasonCodes);
        return client;
    }

    /// <summary>A device connected over mutual TLS.</summary>
    public static async Task<MqttProbeClient> ConnectedDeviceAsync(GatewayNode node, EnrolledIdentity device)
    {
        var client = await node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
        return client;
    }

    public static Task PublishAsync(MqttProbeClient device, string topic, string payload) =>
        device.SendAsync(new PublishPacket { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload), QoS = MqttQualityOfService.AtMostOnce });

    /// <summary>The next PUBLISH the client receives on <paramref name="topic"/>, skipping others.</summary>
    public static async Task<string> NextPayloadAsync(MqttProbeClient client, string topic)
    {
        while (true)
        {
            var publish = await client.ExpectAsync<PublishPacket>(TimeSpan.FromSeconds(30));
            if (publish.Topic == topic)
            {
                return System.Text.Encoding.UTF8.GetString(publish.Payload.Span);
            }
        }
    }
}
