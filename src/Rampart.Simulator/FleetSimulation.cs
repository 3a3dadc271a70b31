using Rampart.Device.Enrollment;

namespace Rampart.Simulator;

/// <summary>
/// A simulated fleet: registers N devices through the provisioner, enrolls each over EST with its
/// own key, connects them and runs each device's behaviour until cancelled.
/// </summary>
public sealed class FleetSimulation
{
    /// <summary>Support for stale devices ended on this day.</summary>
    public static readonly DateOnly EndedSupport = new(2024, 1, 1);

    private readonly SimulationOptions _options;
    private readonly IFleetProvisioner _provisioner;

    public FleetSimulation(SimulationOptions options, IFleetProvisioner provisioner)
    {
        _options = options;
        _provisioner = provisioner;
        Devices = Enumerable.Range(1, options.Devices)
            .Select(i => new SimulatedDevice($"{options.Prefix}-{i:D5}", options.ProfileOf(i - 1), options, Stats))
            .ToArray();
    }

    public SimulationStats Stats { get; } = new();

    /// <summary>The devices, with their certificates once enrolled.</summary>
    public IReadOnlyList<SimulatedDevice> Devices { get; }

    /// <summary>Enrolls every device (bounded concurrency), then runs them all until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = _options;
        var devices = Devices;
        var est = new EstClient(options.EstServer, options.TrustedRoot);
        var running = new List<Task>();

        // Update trust as provisioning would give it; without it devices simply do not take updates.
        var slots = options.SlotsDirectory ?? Path.Combine(Path.GetTempPath(), "rampart-sim-slots-" + Guid.NewGuid().ToString("N")[..8]);
        var trust = new Lazy<Task<UpdateTrust?>>(() => UpdateTrust.FetchAsync(options.EstServer, options.TrustedRoot, cancellationToken));
        foreach (var device in devices)
        {
            device.Updates = (trust, slots);
        }

        using var gate = new SemaphoreSlim(options.Concurrency);
        foreach (var device in devices)
        {
            await gate.WaitAsync(cancellationToken);
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await EnrollAsync(est, device, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }

                await device.RunAsync(cancellationToken);
            }, CancellationToken.None));
        }

        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (options.SlotsDirectory is null && Directory.Exists(slots))
        {
            Directory.Delete(slots, recursive: true);
        }
    }

    private async Task EnrollAsync(EstClient est, SimulatedDevice device, CancellationToken cancellationToken)
    {
        if (device.Profile == Misbehaviour.DefaultCreds)
        {
            // A legacy device has no identity to enroll: it only ever tries a password.
            return;
        }

        try
        {
            var token = await _provisioner.AddDeviceAsync(device.Id, _options.Model, device.Profile == Misbehaviour.Stale ? EndedSupport : null, cancellationToken);
            device.Enrolled(await est.EnrollAsync(device.Id, token, cancellationToken));
            Stats.Enroll(ok: true);
        }
        catch (Exception exception) when (exception is EstException or HttpRequestException or InvalidOperationException)
        {
            Stats.Enroll(ok: false);
        }
    }
}
