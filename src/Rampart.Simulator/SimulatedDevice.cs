using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Rampart.Device.Connection;
using Rampart.Device.Posture;
using Rampart.Device.Updates;
using Rampart.Updates.Rollouts;
using Rampart.Mqtt.Codec;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Simulator;

/// <summary>One simulated device: its identity, its MQTT client and the behaviour its profile gives it.</summary>
public sealed partial class SimulatedDevice(string id, Misbehaviour profile, SimulationOptions options, SimulationStats stats)
{
    private X509Certificate2? _certificate;
    private readonly DateTimeOffset _booted = DateTimeOffset.UtcNow - TimeSpan.FromHours(Random.Shared.Next(1, 500));
    private long _bootCounter = 3;
    private int[] _ports = [];
    private string[] _destinations = [.. SimulatedPosture.UsualDestinations];
    private double _payloadScale = 1;
    private int _payloadBytes;

    public string Id { get; } = id;

    public Misbehaviour Profile { get; } = profile;

    /// <summary>Set once enrolled.</summary>
    public X509Certificate2? Certificate => _certificate;

    internal void Enrolled(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>When the device began to misbehave (null for a well-behaved device, or before it starts): what time-to-alert is measured from.</summary>
    public DateTimeOffset? MisbehavingSince { get; private set; }

    /// <summary>Set before the device runs when the node serves updates: the device then runs the SDK's update client.</summary>
    internal (Lazy<Task<UpdateTrust?>> Trust, string SlotsDirectory)? Updates { get; set; }

    /// <summary>Behaves until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Profile == Misbehaviour.DefaultCreds)
        {
            await TryDefaultCredentialsAsync(cancellationToken);
            return;
        }

        if (_certificate is null)
        {
            return;
        }

        await using var client = Client(localAddress: null);
        try
        {
            await client.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        stats.Connection(+1);
        UpdateClient? updates = null;
        try
        {
            await client.SubscribeAsync($"devices/{Id}/commands/#");
            updates = await UpdateClient.AttachAsync(this, options, stats, client);
            await ReportPostureAsync(client, cancellationToken);
            if (Profile is Misbehaviour.Flood or Misbehaviour.Scanner or Misbehaviour.Clone or Misbehaviour.Tamper or Misbehaviour.Stale)
            {
                MisbehavingSince ??= DateTimeOffset.UtcNow;
            }

            var behaviour = Profile switch
            {
                Misbehaviour.Flood => FloodAsync(client, cancellationToken),
                Misbehaviour.Scanner => ScanAsync(client, cancellationToken),
                Misbehaviour.Clone => CloneAsync(client, cancellationToken),
                Misbehaviour.Tamper => TamperAsync(client, cancellationToken),
                Misbehaviour.Exfiltrate or Misbehaviour.RebootLoop or Misbehaviour.Backdoor or Misbehaviour.Beacon or Misbehaviour.Drift => TurnAsync(client, cancellationToken),
                _ => TelemetryAsync(client, cancellationToken),
            };
            await Task.WhenAll(behaviour, PostureLoopAsync(client, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The simulation is over.
        }
        finally
        {
            stats.Connection(-1);
            if (updates is not null)
            {
                await updates.DisposeAsync();
            }
        }
    }

    // The SDK's update client over A/B slots in the device's own directory; a bad-update device's new
    // firmware fails its health check. It is set up when the first config message arrives — the trust
    // material is fetched then, so a simulation never makes the node create its firmware keys early —
    // off the client's read loop (setting up publishes and waits for acknowledgements).
    private sealed class UpdateClient(SimulatedDevice device, SimulationOptions options, SimulationStats stats, DeviceMqttClient client) : IAsyncDisposable
    {
        private readonly object _lock = new();
        private readonly List<IDisposable> _resources = [];
        private readonly CancellationTokenSource _stopping = new();
        private Task<FirmwareUpdater?>? _starting;
        private Task _forwarding = Task.CompletedTask;

        public static async Task<UpdateClient?> AttachAsync(
            SimulatedDevice device, SimulationOptions options, SimulationStats stats, DeviceMqttClient client)
        {
            if (device.Updates is null)
            {
                return null;
            }

            var updates = new UpdateClient(device, options, stats, client);
            client.OnMessage = updates.OnMessageAsync;
            await client.SubscribeAsync($"devices/{device.Id}/config");
            return updates;
        }

        private Task OnMessageAsync(DeviceMessage message)
        {
            if (message.Topic == $"devices/{device.Id}/config")
            {
                lock (_lock)
                {
                    _starting ??= Task.Run(() => StartAsync(_stopping.Token));
                    var previous = _forwarding;
                    _forwarding = Task.Run(async () =>
                    {
                        await previous;
                        (await _starting)?.OnConfig(message);
                    });
                }
            }

            return Task.CompletedTask;
        }

        private async Task<FirmwareUpdater?> StartAsync(CancellationToken cancellationToken)
        {
            if (device.Updates is not { } updates || await updates.Trust.Value is not { } trust)
            {
                return null;
            }

            var directory = Path.Combine(updates.SlotsDirectory, device.Id);
            var slots = AbSlots.Open(directory, new InstalledFirmware("1.0.0", options.FactorySecurityVersion), Encoding.UTF8.GetBytes($"factory image of {device.Id}"));
            var rootPath = Path.Combine(directory, "tuf-root.json");
            if (!File.Exists(rootPath))
            {
                await File.WriteAllBytesAsync(rootPath, trust.TufRoot, cancellationToken);
            }

            var key = ECDsa.Create();
            key.ImportFromPem(trust.ManifestEcdsaPem);
            var repository = new HttpsTufRepository(options.EstServer, options.TrustedRoot);
            lock (_lock)
            {
                _resources.Add(key);
                _resources.Add(repository);
            }

            var updater = new FirmwareUpdater(client, new FirmwareUpdaterOptions
            {
                Model = options.Model,
                Repository = repository,
                TrustedRootPath = rootPath,
                ManifestEcdsaKey = key,
                ManifestLmsKey = trust.ManifestLmsKey,
                Slots = slots,
                HealthCheck = (_, _) => Task.FromResult(device.Profile != Misbehaviour.BadUpdate),
                Progress = report =>
                {
                    if (report.State is { } state && state.IsTerminal())
                    {
                        stats.Update(state.Name());
                    }
                },
            });
            await updater.StartAsync(cancellationToken);
            return updater;
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            await _forwarding.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_starting is not null)
            {
                await ((Task)_starting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (_starting.IsCompletedSuccessfully && _starting.Result is { } updater)
                {
                    await updater.DisposeAsync();
                }
            }

            foreach (var resource in _resources)
            {
                resource.Dispose();
            }

            _stopping.Dispose();
        }
    }

    private DeviceMqttClient Client(System.Net.IPAddress? localAddress) => new(new DeviceConnectionOptions
    {
        DeviceId = Id,
        Host = options.MqttHost,
        Port = options.MqttPort,
        TrustedRoot = options.TrustedRoot,
        Certificate = () => _certificate!,
        LocalAddress = localAddress,
        InitialReconnectDelay = TimeSpan.FromSeconds(1),
        MaximumReconnectDelay = TimeSpan.FromSeconds(30),
    });

    // Periodic telemetry with jitter, an occasional burst, and a value that follows the time of day.
    private async Task TelemetryAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        var tick = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(options.TelemetryInterval * (0.7 + (Random.Shared.NextDouble() * 0.6)), cancellationToken);
            var burst = ++tick % 10 == 0 ? 5 : 1;
            for (var i = 0; i < burst; i++)
            {
                await ReportAsync(client.PublishAsync($"devices/{Id}/telemetry/temperature", Payload(), MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken));
            }
        }
    }

    // Runs normally, then its case is opened and its firmware altered: the next posture report says so.
    private async Task TamperAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        var telemetry = TelemetryAsync(client, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await ReportAsync(client.ReportPostureAsync(
            new PostureReport("2.1.0", _bootCounter, TimeSpan.FromMinutes(3), [22, 1883, 8080], ["case-open"], DateTimeOffset.UtcNow, "sha256:" + new string('f', 64)), cancellationToken));
        await telemetry;
    }

    // A storm: thousands of messages a second, far past the per-device budget.
    private async Task FloodAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            for (var i = 0; i < 500 && client.IsConnected; i++)
            {
                await client.PublishAsync($"devices/{Id}/telemetry/flood", Reading(), MqttQualityOfService.AtMostOnce, cancellationToken: cancellationToken);
                stats.Sent();
            }

            await ReportAsync(client.PublishAsync($"devices/{Id}/telemetry/flood", Reading(), MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken));
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    // Probes: wildcards and other devices' topics.
    private async Task ScanAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        var probe = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await client.SubscribeAsync(probe % 2 == 0 ? "#" : "devices/+/telemetry/#");
            var victim = $"{options.Prefix}-{Random.Shared.Next(1, options.Devices + 1):D5}";
            await ReportAsync(client.PublishAsync($"devices/{victim}/commands/unlock", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken));
            probe++;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    // The original keeps reporting; a copy of its identity connects from another address now and then.
    private async Task CloneAsync(DeviceMqttClient client, CancellationToken cancellationToken)
    {
        var telemetry = TelemetryAsync(client, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(7), cancellationToken);
            await using var clone = Client(options.CloneAddress);
            try
            {
                await clone.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                await ReportAsync(clone.PublishAsync($"devices/{Id}/telemetry/temperature", Reading(), MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken));
            }
            catch (TimeoutException)
            {
                // The clone could not get in this time.
            }
        }

        await telemetry;
    }

    // A legacy device: no certificate, "admin"/"admin" in CONNECT. The gateway must refuse it at the TLS layer.
    private async Task TryDefaultCredentialsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(options.MqttHost, options.MqttPort, cancellationToken);
                await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, cancellationToken);
                using var encoder = new MqttEncoder();
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                encoder.Encode(new ConnectPacket { ClientId = Id, UserName = "admin", Password = "admin"u8.ToArray() }, MqttProtocolVersion.V500, buffer);
                await ssl.WriteAsync(buffer.WrittenMemory, cancellationToken);
                var answer = new byte[16];
                var read = await ssl.ReadAsync(answer, cancellationToken);
                if (read >= 4 && answer[0] >> 4 == (int)MqttPacketType.ConnAck && answer[3] == 0)
                {
                    throw new InvalidOperationException($"{Id}: the gateway accepted default credentials");
                }

                stats.RefusedConnection();
            }
            catch (Exception exception) when (exception is IOException or AuthenticationException or SocketException)
            {
                stats.RefusedConnection();
            }

            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        }
    }

    private async Task ReportAsync(Task<MqttReasonCode> publish)
    {
        var code = await publish;
        stats.Sent();
        if ((byte)code >= 0x80)
        {
            stats.RefusedPublish(code.ToString());
        }
    }


    private static byte[] Reading()
    {
        var hour = DateTimeOffset.UtcNow.TimeOfDay.TotalHours;
        var value = 20 + (5 * Math.Sin((hour - 9) / 24 * 2 * Math.PI)) + (Random.Shared.NextDouble() - 0.5);
        return Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"t\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"celsius\":{value:F2}}}"));
    }
}
