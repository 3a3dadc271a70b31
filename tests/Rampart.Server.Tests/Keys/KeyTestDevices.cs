using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Connection;
using Rampart.Mqtt.Protocol;

namespace Rampart.Server.Tests.Keys;

/// <summary>A device of the key tests on the node's MQTT listener.</summary>
internal static class KeyTestDevices
{
    /// <summary>The device's MQTT session over mutual TLS with its enrolled certificate, and one QoS 1 telemetry message acknowledged.</summary>
    internal static async Task<DeviceMqttClient> ConnectAndPublishAsync(TestNode node, string deviceId, X509Certificate2 root, X509Certificate2 certificate)
    {
        var device = new DeviceMqttClient(new DeviceConnectionOptions
        {
            DeviceId = deviceId,
            Host = "127.0.0.1",
            Port = node.Node.MqttEndPoint.Port,
            TrustedRoot = root,
            Certificate = () => certificate,
        });
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync($"devices/{deviceId}/telemetry/t", "1"u8.ToArray()));
        return device;
    }

    /// <summary>True when <paramref name="certificate"/> opens an MQTT session for <paramref name="deviceId"/> (a renewal's probe).</summary>
    internal static async Task<bool> ConnectsAsync(TestNode node, string deviceId, X509Certificate2 root, X509Certificate2 certificate)
    {
        try
        {
            await (await ConnectAndPublishAsync(node, deviceId, root, certificate)).DisposeAsync();
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
