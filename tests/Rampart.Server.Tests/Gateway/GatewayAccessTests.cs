using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Rampart.Attack.Probes;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;
using Xunit.Abstractions;

namespace Rampart.Server.Tests.Gateway;

/// <summary>The gateway over real TCP and TLS: identity from the certificate, least-privilege topics, live revocation and quarantine.</summary>
public sealed class GatewayAccessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);
    private GatewayNode _node = null!;

    public async Task InitializeAsync() => _node = await GatewayNode.StartAsync(new Dictionary<string, string?>
    {
        ["Rampart:Gateway:DenialsBeforeDisconnect"] = "5",
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static PublishPacket Publish(string topic, MqttQualityOfService qos = MqttQualityOfService.AtLeastOnce, ushort id = 1, string payload = "x") =>
        new() { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload), QoS = qos, PacketId = qos == MqttQualityOfService.AtMostOnce ? (ushort)0 : id };

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_device_uses_its_own_topics_and_is_refused_everything_else(MqttProtocolVersion version)
    {
        var device = await _node.EnrollDeviceAsync($"meter-{version}");
        await using var client = await _node.ConnectAsync(device, version);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);

        var suback = await client.SubscribeAsync(1,
            new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce),
            new TopicSubscription("devices/other/commands/#", MqttQualityOfService.AtLeastOnce),
            new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce),
            new TopicSubscription("#", MqttQualityOfService.AtMostOnce));
        var refused = version == MqttProtocolVersion.V500 ? MqttReasonCode.NotAuthorized : MqttReasonCode.UnspecifiedError;
        Assert.Equal([MqttReasonCode.GrantedQoS1, refused, refused, refused], suback.ReasonCodes);

        await client.SendAsync(Publish($"devices/{device.Id}/telemetry/power", id: 1));
        Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await client.SendAsync(Publish("devices/other/telemetry/power", id: 2));
        Assert.Equal(version == MqttProtocolVersion.V500 ? MqttReasonCode.NotAuthorized : MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);

        var denied = await _node.EventAsync("gateway.publish-denied", e => e.DeviceId == device.Id);
        Assert.Equal("devices/other/telemetry/power", denied.Details["topic"]);
    }

    [Fact]
    public async Task A_client_id_other_than_the_device_id_is_refused_with_0x85()
    {
        var device = await _node.EnrollDeviceAsync("pump-1");
        await using var client = await _node.ConnectAsync(device);
        var connAck = await client.ConnectAsync("pump-2");
        Assert.Equal(MqttReasonCode.ClientIdentifierNotValid, connAck.ReasonCode);
        await client.WaitClosedAsync();
        var refused = await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "wrong-client-id");
        Assert.Equal("pump-2", refused.Details["claimed-client-id"]);
    }

    [Fact]
    public async Task A_certificate_from_another_CA_fails_the_handshake_and_is_recorded()
    {
        var intruder = _node.Foreign("pump-1");
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await _node.ConnectAsync(intruder);
            _ = await client.ConnectAsync("pump-1");
        });
        Assert.Equal("unknown-ca", (await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "unknown-ca")).Details["reason"]);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_handshake_fails()
    {
        var failed = false;
        try
        {
            await using var client = await MqttProbeClient.ConnectTlsAsync(_node.Mqtt, null, _node.Root);
            await client.SendAsync(new ConnectPacket { ClientId = "anyone" });
            failed = await client.ReceiveAsync() is null;
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            failed = true;
        }

        Assert.True(failed, "a connection without a client certificate got an answer");
        await _node.EventAsync("gateway.refused", e => e.Details["reason"] == "tls-handshake-failed");
    }

    [Fact]
    public async Task Revoking_the_certificate_ends_the_live_session_and_refuses_the_next_connection()
    {
        var device = await _node.EnrollDeviceAsync("valve-9");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);

        var clock = Stopwatch.StartNew();
        await _node.Get<RevocationService>().RevokeSerialAsync(device.Serial, X509RevocationReason.KeyCompromise, "test", CancellationToken.None);
        var revoked = clock.Elapsed;
        var closing = await client.WaitClosedAsync();
        output.WriteLine($"revocation returned after {revoked.TotalMilliseconds:F1} ms; session closed {clock.Elapsed.TotalMilliseconds:F1} ms after the call began");

        var disconnect = Assert.IsType<DisconnectPacket>(Assert.Single(closing));
        Assert.Equal(MqttReasonCode.NotAuthorized, disconnect.ReasonCode);
        Assert.Contains("revoked", disconnect.Properties.ReasonString, StringComparison.Ordinal);

        await using var again = await _node.ConnectAsync(device);
        var connAck = await again.ConnectAsync(device.Id);
        Assert.Equal(MqttReasonCode.NotAuthorized, connAck.ReasonCode);
        Assert.Contains("revoked", connAck.Properties.ReasonString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retiring_the_device_ends_its_session_with_administrative_action()
    {
        var device = await _node.EnrollDeviceAsync("old-1");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);

        await _node.Get<InventoryService>().RetireAsync(device.Id, "test", CancellationToken.None);

        var reasons = (await client.WaitClosedAsync()).OfType<DisconnectPacket>().Select(d => d.ReasonCode).ToArray();
        Assert.Contains(reasons.Single(), new[] { MqttReasonCode.AdministrativeAction, MqttReasonCode.NotAuthorized });
    }

    [Fact]
    public async Task A_quarantined_device_keeps_its_session_but_only_reports_state_until_released()
    {
        var device = await _node.EnrollDeviceAsync("cam-3");
        var service = await _node.ServiceAsync("ingest");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce));
        await using var backend = await _node.ConnectAsync(service);
        Assert.Equal(MqttReasonCode.Success, (await backend.ConnectAsync("ingest-1")).ReasonCode);

        await _node.Get<InventoryService>().QuarantineAsync(device.Id, "suspicious traffic", "test", CancellationToken.None);
        await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id);

        await client.SendAsync(Publish($"devices/{device.Id}/telemetry/t", id: 1));
        Assert.Equal(MqttReasonCode.NotAuthorized, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await client.SendAsync(Publish($"devices/{device.Id}/state", id: 2));
        Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        await backend.SendAsync(Publish($"devices/{device.Id}/commands/reboot", MqttQualityOfService.AtMostOnce));
        Assert.True(await client.NothingWithinAsync(Quiet), "a quarantined device still received commands");
        Assert.False(client.Closed);

        await _node.Get<InventoryService>().ReleaseAsync(device.Id, "cleared", "test", OperatorVerifiedRelease.Instance, CancellationToken.None);
        await _node.EventAsync("gateway.permissions-changed", e => e.DeviceId == device.Id && e.Details["template"] == "device");
        await client.SendAsync(Publish($"devices/{device.Id}/telemetry/t", id: 3));
        Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
    }

    [Fact]
    public async Task The_same_identity_from_a_second_address_takes_over_and_raises_a_cloned_identity_event()
    {
        var device = await _node.EnrollDeviceAsync("lock-7");
        await using var first = await _node.ConnectAsync(device, localAddress: IPAddress.Loopback);
        await first.ConnectAsync(device.Id);
        await using var clone = await _node.ConnectAsync(device, localAddress: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(MqttReasonCode.Success, (await clone.ConnectAsync(device.Id)).ReasonCode);

        Assert.Equal(MqttReasonCode.SessionTakenOver, Assert.IsType<DisconnectPacket>(Assert.Single(await first.WaitClosedAsync())).ReasonCode);
        var cloned = await _node.EventAsync("gateway.possible-cloned-identity", e => e.DeviceId == device.Id);
        Assert.Equal(SecuritySeverity.High, cloned.Severity);
        Assert.StartsWith("127.0.0.2:", cloned.Details["new-source"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posture_reports_with_a_tamper_switch_a_changed_measurement_or_garbage_are_recorded()
    {
        var device = await _node.EnrollDeviceAsync("kiosk-4");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        async Task ReportAsync(string json, ushort id)
        {
            await client.SendAsync(Publish($"devices/{device.Id}/state", id: id, payload: json));
            Assert.Equal(MqttReasonCode.Success, (await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        }

        await ReportAsync("""{"firmwareVersion":"3.0.1","firmwareMeasurement":"sha256:aa","tamperFlags":[]}""", 1);
        await ReportAsync("""{"firmwareVersion":"3.0.1","firmwareMeasurement":"sha256:bb","tamperFlags":["case-open"]}""", 2);
        await ReportAsync("not json", 3);

        Assert.Equal("case-open", (await _node.EventAsync("device.tamper-reported", e => e.DeviceId == device.Id)).Details["flags"]);
        var changed = await _node.EventAsync("device.firmware-measurement-changed", e => e.DeviceId == device.Id);
        Assert.Equal(("sha256:aa", "sha256:bb", SecuritySeverity.High), (changed.Details["previous"], changed.Details["reported"], changed.Severity));
        await _node.EventAsync("device.posture-invalid", e => e.DeviceId == device.Id);
    }

    [Fact]
    public async Task A_device_past_its_end_of_support_is_recorded_when_it_reports()
    {
        var device = await _node.EnrollDeviceAsync("old-fw-1", supportUntil: new DateOnly(2024, 1, 1));
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SendAsync(Publish($"devices/{device.Id}/state", payload: """{"firmwareVersion":"0.9.1"}"""));
        await client.ExpectAsync<PublishResponsePacket>();

        var unsupported = await _node.EventAsync("device.unsupported-firmware", e => e.DeviceId == device.Id);
        Assert.Equal(("2024-01-01", "0.9.1"), (unsupported.Details["support-until"], unsupported.Details["firmware-version"]));
    }

    [Fact]
    public async Task Repeated_denials_end_the_connection()
    {
        var device = await _node.EnrollDeviceAsync("probe-1");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        for (ushort i = 1; i <= 5; i++)
        {
            await client.SendAsync(Publish($"devices/victim-{i}/telemetry/t", id: i));
        }

        var packets = await client.WaitClosedAsync();
        Assert.Equal(MqttReasonCode.NotAuthorized, Assert.IsType<DisconnectPacket>(packets[^1]).ReasonCode);
        Assert.Equal(4, packets.OfType<PublishResponsePacket>().Count(p => p.ReasonCode == MqttReasonCode.NotAuthorized));
    }

    [Fact]
    public async Task A_service_consumes_device_telemetry_through_its_shared_subscription_and_sends_commands()
    {
        var device = await _node.EnrollDeviceAsync("sensor-5");
        var service = await _node.ServiceAsync("ingest");
        await using var backend = await _node.ConnectAsync(service);
        Assert.Equal(MqttReasonCode.Success, (await backend.ConnectAsync("ingest-a")).ReasonCode);
        Assert.Equal([MqttReasonCode.GrantedQoS1, MqttReasonCode.NotAuthorized], (await backend.SubscribeAsync(1,
            new TopicSubscription("$share/ingest/devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce),
            new TopicSubscription("devices/+/telemetry/#", MqttQualityOfService.AtLeastOnce))).ReasonCodes);
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce));

        await client.SendAsync(Publish($"devices/{device.Id}/telemetry/temp", MqttQualityOfService.AtMostOnce, payload: "21.5"));
        Assert.Equal($"devices/{device.Id}/telemetry/temp", (await backend.ExpectAsync<PublishPacket>()).Topic);
        await backend.SendAsync(Publish($"devices/{device.Id}/commands/calibrate", MqttQualityOfService.AtMostOnce));
        Assert.Equal($"devices/{device.Id}/commands/calibrate", (await client.ExpectAsync<PublishPacket>()).Topic);

        await using var wrongId = await _node.ConnectAsync(service);
        Assert.Equal(MqttReasonCode.ClientIdentifierNotValid, (await wrongId.ConnectAsync("billing-1")).ReasonCode);
    }

    [Fact]
    public async Task An_operator_sends_a_command_with_the_cli_and_sees_the_traffic_and_events()
    {
        var device = await _node.EnrollDeviceAsync("door-2");
        await using var client = await _node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);
        await client.SubscribeAsync(1, new TopicSubscription($"devices/{device.Id}/commands/#", MqttQualityOfService.AtLeastOnce));
        var data = _node.Node.Node.DataDirectory;

        var (code, sent) = await RampartCli.RunAsync("device", "send", device.Id, "--topic-suffix", "open", "--payload", "now", "--data", data);
        Assert.True(code == 0, sent);
        var command = await client.ExpectAsync<PublishPacket>();
        Assert.Equal(($"devices/{device.Id}/commands/open", "now"), (command.Topic, System.Text.Encoding.UTF8.GetString(command.Payload.Span)));
        await client.SendAsync(new PublishResponsePacket(MqttPacketType.PubAck, command.PacketId));

        var (badCode, bad) = await RampartCli.RunAsync("device", "send", device.Id, "--topic-suffix", "+/x", "--data", data);
        Assert.NotEqual(0, badCode);
        Assert.Contains("no wildcards", bad, StringComparison.Ordinal);

        var (showCode, show) = await RampartCli.RunAsync("device", "show", device.Id, "--data", data);
        Assert.True(showCode == 0, show);
        Assert.Contains("mqtt:              connected", show, StringComparison.Ordinal);
        Assert.Contains("out 1 msgs/3 B", show, StringComparison.Ordinal);

        // Events are recorded off the connection's path: wait until the node has it, then tail shows it first.
        await Eventually.HoldsAsync(
            async () => (await RampartCli.RunAsync("events", "list", "--device", device.Id, "--data", data)).Output.Contains("gateway.connected", StringComparison.Ordinal),
            "the connection event is recorded");
        var (tailCode, tail) = await RampartCli.RunAsync("events", "tail", "--device", device.Id, "--duration", "1", "--data", data);
        Assert.True(tailCode == 0, tail);
        Assert.Contains("gateway.connected", tail, StringComparison.Ordinal);
    }
}

/// <summary>Per-device rate limits answered per spec.</summary>
public sealed class GatewayLimitTests
{
    [Fact]
    public async Task Publishing_past_the_message_budget_is_answered_with_0x96_and_recorded()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "0.1",
            ["Rampart:Gateway:DeviceMessageBurst"] = "3",
        });
        var device = await node.EnrollDeviceAsync("chatty");
        await using var client = await node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);

        var codes = new List<MqttReasonCode>();
        for (ushort i = 1; i <= 5; i++)
        {
            await client.SendAsync(new PublishPacket { Topic = $"devices/{device.Id}/telemetry/t", Payload = new byte[] { 1 }, QoS = MqttQualityOfService.AtLeastOnce, PacketId = i });
            codes.Add((await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        }

        Assert.Equal([MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.MessageRateTooHigh, MqttReasonCode.MessageRateTooHigh], codes);
        Assert.Equal("message-rate", (await node.EventAsync("gateway.limit-exceeded", e => e.DeviceId == device.Id)).Details["limit"]);
    }

    [Fact]
    public async Task A_message_refused_for_the_byte_budget_costs_nothing_from_the_message_budget()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "0.1",
            ["Rampart:Gateway:DeviceMessageBurst"] = "3",
            ["Rampart:Gateway:DeviceBytesPerSecond"] = "0.1",
            ["Rampart:Gateway:DeviceByteBurst"] = "1000",
        });
        var device = await node.EnrollDeviceAsync("bulky");
        await using var client = await node.ConnectAsync(device);
        await client.ConnectAsync(device.Id);

        var codes = new List<MqttReasonCode>();
        ushort id = 0;
        foreach (var size in new[] { 2000, 2000, 2000, 10, 10, 10, 10 })
        {
            await client.SendAsync(new PublishPacket { Topic = $"devices/{device.Id}/telemetry/t", Payload = new byte[size], QoS = MqttQualityOfService.AtLeastOnce, PacketId = ++id });
            codes.Add((await client.ExpectAsync<PublishResponsePacket>()).ReasonCode);
        }

        // Three oversized messages refused for bytes; the three small ones the message budget allows still pass.
        Assert.Equal(
            [MqttReasonCode.QuotaExceeded, MqttReasonCode.QuotaExceeded, MqttReasonCode.QuotaExceeded,
                MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.Success, MqttReasonCode.MessageRateTooHigh], codes);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_with_the_reason_and_recorded()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await GatewayNode.StartAsync(time: clock);
        var device = await node.EnrollDeviceAsync("stale-1");
        clock.Advance(TimeSpan.FromDays(800));

        await using var client = await node.ConnectAsync(device);
        var connAck = await client.ConnectAsync(device.Id);

        Assert.Equal(MqttReasonCode.NotAuthorized, connAck.ReasonCode);
        Assert.Contains("valid from", connAck.Properties.ReasonString, StringComparison.Ordinal);
        Assert.Equal(device.Serial, (await node.EventAsync("gateway.refused", e => e.Details["reason"] == "expired")).Details["serial"]);
    }

    [Fact]
    public async Task Half_open_connections_are_capped_per_source_and_cut_at_the_handshake_deadline()
    {
        await using var node = await GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:MaxUnauthenticatedPerSource"] = "2",

            // Long enough that the first two are surely still half-open when the third arrives, on a loaded machine too.
            ["Rampart:Gateway:HandshakeTimeout"] = "00:00:04",
        });
        using var first = new System.Net.Sockets.TcpClient();
        using var second = new System.Net.Sockets.TcpClient();
        using var third = new System.Net.Sockets.TcpClient();
        await first.ConnectAsync(node.Mqtt);
        await second.ConnectAsync(node.Mqtt);
        await Task.Delay(200);

        // The third is closed at once (the reset may even beat the connect); the first two (no handshake) at the deadline.
        var buffer = new byte[16];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await third.ConnectAsync(node.Mqtt);
            Assert.Equal(0, await ReadOrResetAsync(third, buffer, patience.Token));
        }
        catch (System.Net.Sockets.SocketException exception) when (exception.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            // Refused before the connect completed: the same verdict.
        }

        Assert.Equal(0, await ReadOrResetAsync(first, buffer, patience.Token));
        Assert.Equal(0, await ReadOrResetAsync(second, buffer, patience.Token));
        Assert.Equal("unauthenticated-limit", (await node.EventAsync("gateway.refused", e => e.Details["reason"] == "unauthenticated-limit")).Details["reason"]);
        await node.EventAsync("gateway.refused", e => e.Details["reason"] == "tls-handshake-failed");

        // The slots are free again: a real device gets in.
        var device = await node.EnrollDeviceAsync("after-scan");
        await using var client = await node.ConnectAsync(device);
        Assert.Equal(MqttReasonCode.Success, (await client.ConnectAsync(device.Id)).ReasonCode);
    }

    private static async Task<int> ReadOrResetAsync(System.Net.Sockets.TcpClient client, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetStream().ReadAsync(buffer, cancellationToken);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Invalid_gateway_settings_stop_the_node_with_every_problem_named()
    {
        var error = await Assert.ThrowsAsync<Rampart.Server.Hosting.NodeStartupException>(() => GatewayNode.StartAsync(new Dictionary<string, string?>
        {
            ["Rampart:Gateway:DeviceMessagesPerSecond"] = "0",
            ["Rampart:Broker:MaximumPacketSize"] = "10",
            ["Rampart:Gateway:Services:bad:ClientIds"] = "a*b",
        }));
        Assert.Contains("DeviceMessagesPerSecond", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaximumPacketSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("Services:bad", error.Message, StringComparison.Ordinal);
    }
}
