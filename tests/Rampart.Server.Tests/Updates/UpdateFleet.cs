using System.Security.Cryptography;
using Rampart.Device.Connection;
using Rampart.Device.Updates;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Operators;
using Rampart.Server.Tests.Gateway;
using Rampart.Server.Updates;
using Rampart.Testing;
using Rampart.Updates.Releases;

namespace Rampart.Server.Tests.Updates;

/// <summary>
/// A node with its gateway, and simulated devices each running the SDK's update client over real mTLS
/// MQTT and HTTPS: an A/B slot layout in a temporary directory, the node's TUF root and firmware keys
/// pinned as at provisioning, and a health check the test chooses.
/// </summary>
internal sealed class UpdateFleet : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<SimulatedUpdatingDevice> _devices = [];

    private UpdateFleet(GatewayNode node) => Node = node;

    public GatewayNode Node { get; }

    public IReadOnlyList<SimulatedUpdatingDevice> Devices => _devices;

    public static readonly OperatorIdentity SecurityOfficerA = new("sam", OperatorRole.SecurityOfficer.Name, OperatorRole.SecurityOfficer.Permissions, [], []);
    public static readonly OperatorIdentity SecurityOfficerB = new("sue", OperatorRole.SecurityOfficer.Name, OperatorRole.SecurityOfficer.Permissions, [], []);

    public static async Task<UpdateFleet> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Rampart:Rollouts:Tick"] = "00:00:00.200" };
        return new(await GatewayNode.StartAsync(all));
    }

    /// <summary>Adds a release from random image bytes and promotes it with two security officers.</summary>
    public async Task<Release> ReleaseAsync(string model, string version, long svn, bool promote = true, IReadOnlyList<string>? hardware = null)
    {
        var uploads = Node.Get<ReleaseUploads>();
        var (sha, _) = await uploads.StoreAsync(new MemoryStream(RandomNumberGenerator.GetBytes(20_000)), CancellationToken.None);
        var release = await Node.Get<ReleaseService>().AddAsync(new NewRelease(model, version, svn, hardware ?? ["rev-b"], sha, null), "release-engineer", CancellationToken.None);
        if (promote)
        {
            var approvals = Node.Get<ApprovalService>();
            var request = await approvals.RequestAsync("releases.promote", release.Id, "promote", SecurityOfficerA, CancellationToken.None);
            Assert.Equal(ApprovalStatus.Executed, (await approvals.ApproveAsync(request.Id, SecurityOfficerB, CancellationToken.None)).Status);
        }

        return release;
    }

    /// <summary>Enrolls a device of <paramref name="model"/> running 1.0.0 (svn <paramref name="svn"/>) and starts its update client.</summary>
    public async Task<SimulatedUpdatingDevice> DeviceAsync(
        string id, string model, Func<InstalledFirmware, bool> healthy, long svn = 1, bool online = true, string hardware = "rev-b", bool pinMlDsa = false)
    {
        var identity = await Node.EnrollDeviceAsync(id, model: model, hardware: hardware);
        var directory = _temp.Sub(id);
        var slots = AbSlots.Open(directory, new InstalledFirmware("1.0.0", svn), "factory image"u8.ToArray());
        var rootPath = Path.Combine(directory, "trusted-root.json");
        File.Copy(Path.Combine(Node.Node.Node.DataDirectory, "tuf", "metadata", "1.root.json"), rootPath);
        var keys = await Node.Get<FirmwareSigningKeys>().PublicKeysAsync(CancellationToken.None);
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(keys["ecdsaP256"]!.GetValue<string>());

        var client = new DeviceMqttClient(new DeviceConnectionOptions
        {
            DeviceId = id,
            Host = "127.0.0.1",
            Port = Node.Mqtt.Port,
            TrustedRoot = Node.Root,
            Certificate = () => identity.Certificate,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaximumReconnectDelay = TimeSpan.FromSeconds(1),
        });
        var repository = new HttpsTufRepository(Node.Node.Node.HttpsUri, Node.Root);
        var device = new SimulatedUpdatingDevice(id, directory, client, slots, repository, ecdsa);
        var updater = new FirmwareUpdater(client, new FirmwareUpdaterOptions
        {
            Model = model,
            HardwareRevision = hardware,
            Repository = repository,
            TrustedRootPath = rootPath,
            ManifestEcdsaKey = ecdsa,
            ManifestLmsKey = Convert.FromHexString(keys["lms"]!.GetValue<string>()),
            ManifestMlDsa65Key = pinMlDsa ? Convert.FromHexString(keys["mlDsa65"]!.GetValue<string>()) : null,
            Slots = slots,
            HealthCheck = (firmware, _) =>
            {
                device.HealthChecks.Add(firmware.Version);
                return Task.FromResult(healthy(firmware));
            },
        });
        device.Updater = updater;
        client.OnMessage = message =>
        {
            device.ConfigMessages.Add(message.Topic);
            updater.OnConfig(message);
            return Task.CompletedTask;
        };
        _devices.Add(device);
        if (online)
        {
            await device.StartAsync();
        }

        return device;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        await Node.DisposeAsync();
        _temp.Dispose();
    }
}

/// <summary>One simulated device: its MQTT client, update client, slots, and what it saw.</summary>
internal sealed class SimulatedUpdatingDevice(string id, string directory, DeviceMqttClient client, AbSlots slots, HttpsTufRepository repository, ECDsa key) : IAsyncDisposable
{
    public string Id { get; } = id;

    /// <summary>The device's storage: slots, the provisioned root, and the SDK's trusted TUF metadata and target cache beside it.</summary>
    public string Directory { get; } = directory;

    public DeviceMqttClient Client { get; } = client;

    public AbSlots Slots { get; } = slots;

    public FirmwareUpdater Updater { get; set; } = null!;

    public System.Collections.Concurrent.ConcurrentBag<string> ConfigMessages { get; } = [];

    public System.Collections.Concurrent.ConcurrentBag<string> HealthChecks { get; } = [];

    /// <summary>Connects and starts the update client (the device comes online).</summary>
    public async Task StartAsync()
    {
        await Client.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await Updater.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Updater.DisposeAsync();
        await Client.DisposeAsync();
        repository.Dispose();
        key.Dispose();
    }
}
