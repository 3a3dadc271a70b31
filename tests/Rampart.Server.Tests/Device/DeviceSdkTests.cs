using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Device.Identity;
using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Gateway;
using Rampart.Server.Tests.Gateway;
using Rampart.Testing;

namespace Rampart.Server.Tests.Device;

/// <summary>The device SDK against a real node on loopback: EST enrollment, key store, MQTT with reconnect.</summary>
public sealed class DeviceSdkTests : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();

    public async ValueTask DisposeAsync()
    {
        _temp.Dispose();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_device_enrolls_keeps_its_key_owner_only_publishes_and_receives_a_command()
    {
        await using var node = await GatewayNode.StartAsync();
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("sdk-1"), "test", CancellationToken.None);
        var store = new FileKeyStore(_temp.Sub("sdk-1"));
        Assert.Null(await store.LoadAsync(CancellationToken.None));

        var est = new EstClient(node.Node.Node.HttpsUri, node.Root);
        await store.SaveAsync(await est.EnrollAsync("sdk-1", token.Token, CancellationToken.None), CancellationToken.None);
        var certificate = await store.LoadAsync(CancellationToken.None);
        Assert.NotNull(certificate);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.KeyPath));
        var refused = await Assert.ThrowsAsync<EstException>(() => est.EnrollAsync("sdk-1", token.Token, CancellationToken.None));
        Assert.Equal(401, refused.Status);

        var service = await node.ServiceAsync("ingest");
        await using var backend = await node.ConnectAsync(service);
        await backend.ConnectAsync("ingest-sdk");
        await backend.SubscribeAsync(1, new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce));

        var commands = new TaskCompletionSource<DeviceMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var device = new DeviceMqttClient(Options(node.Mqtt.Port, node.Root, "sdk-1", () => certificate))
        {
            OnMessage = message =>
            {
                commands.TrySetResult(message);
                return Task.CompletedTask;
            },
        };
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await device.SubscribeAsync("devices/sdk-1/commands/#");

        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/sdk-1/telemetry/temp", "21.5"u8.ToArray()));
        Assert.Equal("21.5", Encoding.UTF8.GetString((await backend.ExpectAsync<PublishPacket>()).Payload.Span));
        Assert.Equal(MqttReasonCode.NotAuthorized, await device.PublishAsync("devices/other/telemetry/temp", "x"u8.ToArray()));

        await WaitUntilAsync(() => node.Get<MqttGateway>().Broker.IsConnected("sdk-1"));

        // A command sent before the subscription is in place is not delivered: send it until one arrives.
        await Eventually.HoldsAsync(async () =>
        {
            node.Get<MqttGateway>().Broker.Publish("devices/sdk-1/commands/reboot", "now"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
            await Task.WhenAny(commands.Task, Task.Delay(200));
            return commands.Task.IsCompleted;
        }, "a command reaches the device");
        var command = await commands.Task;
        Assert.Equal(("devices/sdk-1/commands/reboot", "now"), (command.Topic, Encoding.UTF8.GetString(command.Payload.Span)));
    }

    [Fact]
    public async Task A_device_survives_a_node_restart_and_its_QoS1_publish_made_meanwhile_arrives()
    {
        var port = FreePort();
        var data = _temp.Sub("node");
        var settings = new Dictionary<string, string?>(GatewayNode.IngestService) { ["Rampart:Mqtt"] = $"127.0.0.1:{port}" };
        var node = await TestNode.StartAsync(data, settings);
        X509Certificate2 certificate;
        X509Certificate2 root;
        try
        {
            var services = node.Node.Services;
            var (_, token) = await services.GetRequiredService<InventoryService>().AddAsync(new NewDevice("sdk-2"), "test", CancellationToken.None);
            root = X509CertificateLoader.LoadCertificate(services.GetRequiredService<Rampart.Pki.Authority.CertificateAuthority>().Root.RawData);
            certificate = await new EstClient(node.Node.HttpsUri, root).EnrollAsync("sdk-2", token.Token, CancellationToken.None);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        await using var device = new DeviceMqttClient(Options(port, root, "sdk-2", () => certificate));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/sdk-2/state", "up"u8.ToArray()));

        await node.DisposeAsync();
        await WaitUntilAsync(() => !device.IsConnected);
        var duringRestart = device.PublishAsync("devices/sdk-2/state", "back"u8.ToArray());

        await using var restarted = await TestNode.StartAsync(data, settings);
        Assert.Equal(MqttReasonCode.Success, await duringRestart.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(device.Connections >= 2);
        Assert.True(restarted.Node.Services.GetRequiredService<MqttGateway>().Broker.IsConnected("sdk-2"));
    }

    [Fact]
    public async Task A_device_renews_inside_its_window_switches_only_after_the_new_certificate_connects_and_reports_its_posture()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await GatewayNode.StartAsync(time: clock);
        var (_, token) = await node.Get<InventoryService>().AddAsync(new NewDevice("sdk-3"), "test", CancellationToken.None);
        var store = new FileKeyStore(_temp.Sub("sdk-3"));
        var est = new EstClient(node.Node.Node.HttpsUri, node.Root);
        await store.SaveAsync(await est.EnrollAsync("sdk-3", token.Token, CancellationToken.None), CancellationToken.None);
        var original = (await store.LoadAsync(CancellationToken.None))!;
        var renewal = new CertificateRenewal(est, store, clock);
        async Task<bool> Connects(X509Certificate2 candidate)
        {
            await using var probe = new DeviceMqttClient(Options(node.Mqtt.Port, node.Root, "sdk-3", () => candidate));
            try
            {
                await probe.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        Assert.Null(await renewal.RenewIfDueAsync(original, Connects, CancellationToken.None));

        // Past the due point (inside the last third of validity): renewed, proven, stored.
        clock.Advance((renewal.DueAt(original) - clock.GetUtcNow()) + TimeSpan.FromMinutes(1));
        Assert.Null(await renewal.RenewIfDueAsync(original, _ => Task.FromResult(false), CancellationToken.None));
        Assert.Equal(original.SerialNumber, (await store.LoadAsync(CancellationToken.None))!.SerialNumber);
        var renewed = await renewal.RenewIfDueAsync(original, Connects, CancellationToken.None);
        Assert.NotNull(renewed);
        Assert.NotEqual(original.SerialNumber, renewed.SerialNumber);
        Assert.Equal(renewed.SerialNumber, (await store.LoadAsync(CancellationToken.None))!.SerialNumber);

        var service = await node.ServiceAsync("ingest");
        await using var backend = await node.ConnectAsync(service);
        await backend.ConnectAsync("ingest-posture");
        await backend.SubscribeAsync(1, new TopicSubscription("devices/+/state", MqttQualityOfService.AtLeastOnce));
        await using var device = new DeviceMqttClient(Options(node.Mqtt.Port, node.Root, "sdk-3", () => renewed));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var report = new Rampart.Device.Posture.PostureReport("1.4.2", 17, TimeSpan.FromHours(3), [22, 8080], ["case-open"], clock.GetUtcNow());
        Assert.Equal(MqttReasonCode.Success, await device.ReportPostureAsync(report));
        using var posted = System.Text.Json.JsonDocument.Parse((await backend.ExpectAsync<PublishPacket>()).Payload);
        Assert.Equal("1.4.2", posted.RootElement.GetProperty("firmwareVersion").GetString());
        Assert.Equal(10800, posted.RootElement.GetProperty("uptimeSeconds").GetInt64());
        Assert.Equal("case-open", posted.RootElement.GetProperty("tamperFlags")[0].GetString());
    }

    [Fact]
    public async Task A_device_with_a_factory_certificate_enrolls_without_a_token_and_connects()
    {
        await using var node = await GatewayNode.StartAsync();
        using var vendorKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var vendorCa = Enrollment.RenewalAndFactoryTests.VendorCa(vendorKey);
        await node.Get<Rampart.Fleet.Vendors.VendorTrustService>().AddAsync("acme", vendorCa.ExportCertificatePem(), "test", CancellationToken.None);
        await node.Get<InventoryService>().AddAsync(new NewDevice("factory-1", Vendor: "acme"), "test", CancellationToken.None);
        using var deviceKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var issued = Enrollment.RenewalAndFactoryTests.FactoryCertificate(vendorCa, vendorKey, deviceKey, "factory-1");
        using var idevid = X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);

        var certificate = await new EstClient(node.Node.Node.HttpsUri, node.Root).EnrollWithFactoryCertificateAsync(idevid, CancellationToken.None);

        Assert.Equal("factory-1", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        await using var device = new DeviceMqttClient(Options(node.Mqtt.Port, node.Root, "factory-1", () => certificate));
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MqttReasonCode.Success, await device.PublishAsync("devices/factory-1/telemetry/t", "1"u8.ToArray()));
    }

    [Fact]
    public async Task A_failing_command_handler_does_not_stop_the_client()
    {
        await using var node = await GatewayNode.StartAsync();
        var identity = await node.EnrollDeviceAsync("sdk-4");
        var calls = 0;
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var device = new DeviceMqttClient(Options(node.Mqtt.Port, node.Root, "sdk-4", () => identity.Certificate))
        {
            OnMessage = message =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("application bug");
                }

                if (message.Topic.EndsWith("/second", StringComparison.Ordinal))
                {
                    second.TrySetResult(message.Topic);
                }

                return Task.CompletedTask;
            },
        };
        await device.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await device.SubscribeAsync("devices/sdk-4/commands/#");
        await WaitUntilAsync(() => node.Get<MqttGateway>().Broker.IsConnected("sdk-4"));

        // Until the subscription is in place a command is not delivered: send the first until the handler saw it (and threw).
        await Eventually.HoldsAsync(async () =>
        {
            node.Get<MqttGateway>().Broker.Publish("devices/sdk-4/commands/first", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);
            await Task.Delay(100);
            return Volatile.Read(ref calls) >= 1;
        }, "the first command reaches the handler");
        node.Get<MqttGateway>().Broker.Publish("devices/sdk-4/commands/second", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: false);

        Assert.Equal("devices/sdk-4/commands/second", await second.Task.WaitAsync(Eventually.Patience));
        Assert.Contains("application bug", device.LastError, StringComparison.Ordinal);
        Assert.True(device.IsConnected);
    }

    private static DeviceConnectionOptions Options(int port, X509Certificate2 root, string id, Func<X509Certificate2> certificate) => new()
    {
        DeviceId = id,
        Host = "127.0.0.1",
        Port = port,
        TrustedRoot = root,
        Certificate = certificate,
        InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaximumReconnectDelay = TimeSpan.FromSeconds(1),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not become true within 10 s");
    }
}
