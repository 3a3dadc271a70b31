using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Posture.Evidence;
using Rampart.Posture.Zones;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>One device's posture evidence by indexed reads (issue 18, <c>baseline evaluate --device</c>), the same on every provider.</summary>
public abstract class DeviceEvidenceReaderContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task A_device_reads_only_its_own_certificates_posture_confinement_and_events_and_sees_its_key_held_by_another_device()
    {
        foreach (var id in new[] { "d1", "d2", "d3" })
        {
            await AuditedAsync(t => Stores.Devices.TryAddAsync(t, AuditChainContract<TProvider>.NewDevice(id, state: DeviceState.Active), CancellationToken.None));
        }

        await Stores.Certificates.AddAsync(new IssuedCertificate("0A01", "device", "d1", "key-shared", Start, Start.AddDays(30), false, null, null, [1]), CancellationToken.None);
        await Stores.Certificates.AddAsync(new IssuedCertificate("0A02", "device", "d2", "key-shared", Start, Start.AddDays(30), false, null, null, [2]), CancellationToken.None);
        await Stores.Certificates.AddAsync(new IssuedCertificate("0A03", "device", "d3", "key-own", Start, Start.AddDays(30), false, null, null, [3]), CancellationToken.None);
        await Stores.PostureReports.RecordAsync([new ReportedPosture("d1", "1.0", "m", [23, 443], Start), new ReportedPosture("d3", "2.0", "n", [443], Start)], CancellationToken.None);
        await AuditedAsync(t => Stores.Confinements.TryConfineAsync(t, new Confinement("d1", "support ended", "system:zones", Start), CancellationToken.None));
        await Stores.SecurityEvents.AppendManyAsync([
            Event("d1", "gateway.possible-cloned-identity", Start.AddHours(1)),
            Event("d1", "gateway.possible-cloned-identity", Start.AddHours(2)),
            Event("d1", "gateway.session-taken-over", Start.AddMinutes(-5)),
            Event("d1", "gateway.connected", Start.AddHours(1)),
            Event("d3", "gateway.session-taken-over", Start.AddHours(1)),
        ], CancellationToken.None);

        var reader = Stores.DeviceEvidence;
        var certificates = await reader.CertificatesOfAsync("d1", CancellationToken.None);
        Assert.Equal(("0A01", "d1", "key-shared"), (Assert.Single(certificates).Serial, certificates[0].Subject, certificates[0].KeyFingerprint));
        Assert.True(await reader.KeyHeldElsewhereAsync("d1", CancellationToken.None));
        Assert.False(await reader.KeyHeldElsewhereAsync("d3", CancellationToken.None));
        Assert.Equal([23, 443], (await reader.PostureOfAsync("d1", CancellationToken.None))!.ListeningPorts);
        Assert.Null(await reader.PostureOfAsync("d2", CancellationToken.None));
        Assert.True((await reader.ConfinementOfAsync("d1", CancellationToken.None))!.Active);
        Assert.Null(await reader.ConfinementOfAsync("d3", CancellationToken.None));
        Assert.Equal(0, await reader.OpenAlertsOfAsync("d1", CancellationToken.None));

        var events = await reader.EventCountsOfAsync("d1", ["gateway.possible-cloned-identity", "gateway.session-taken-over"], Start, CancellationToken.None);
        Assert.Equal(("d1", "gateway.possible-cloned-identity", 2), (Assert.Single(events).DeviceId, events[0].Kind, events[0].Count));
        Assert.Empty(await reader.EventCountsOfAsync("d2", ["gateway.session-taken-over"], Start, CancellationToken.None));
    }

    [Fact]
    public async Task The_device_loader_reads_one_device_and_judges_it_like_the_fleet_loader_does()
    {
        await AuditedAsync(t => Stores.Devices.TryAddAsync(t, AuditChainContract<TProvider>.NewDevice("d1", state: DeviceState.Active), CancellationToken.None));
        await AuditedAsync(t => Stores.Devices.TryAddAsync(t, AuditChainContract<TProvider>.NewDevice("d2", state: DeviceState.Retired), CancellationToken.None));
        await Stores.PostureReports.RecordAsync([new ReportedPosture("d1", "1.0", "m", [23], Start)], CancellationToken.None);
        var one = new DeviceEvidenceLoader(Stores.Devices, Stores.Rollouts, Stores.DeviceEvidence, Stores.DeviceModels, new NoVulnerabilitySource(), Clock);
        var fleet = new FleetEvidenceLoader(Stores.Devices, Stores.Rollouts, Stores.Users, Stores.FleetEvidence, Stores.DeviceModels, Stores.PostureReports,
            Stores.Confinements, new NoVulnerabilitySource(), Clock);

        var evidence = await one.LoadAsync("d1", CancellationToken.None);
        var all = await fleet.LoadAsync(CancellationToken.None);
        Assert.NotNull(evidence);
        Assert.Equal(["d1"], evidence.Devices.Select(d => d.Id));
        var requirements = Rampart.Posture.Baselines.SecurityBaselines.Of(null);
        Assert.Equal(
            Rampart.Posture.Baselines.FleetEvaluation.Device(all, all.Devices.Single(d => d.Id == "d1"), requirements).Results.Select(r => (r.Id, r.Verdict, r.Evidence)),
            Rampart.Posture.Baselines.FleetEvaluation.Device(evidence, evidence.Devices[0], requirements).Results.Select(r => (r.Id, r.Verdict, r.Evidence)));
        Assert.Null(await one.LoadAsync("d2", CancellationToken.None));
        Assert.Null(await one.LoadAsync("no-such-device", CancellationToken.None));
    }

    private static SecurityEvent Event(string device, string kind, DateTimeOffset at) => new(at, kind, SecuritySeverity.Info, device, "127.0.0.1:1", new Dictionary<string, string>());
}

public sealed class SqliteDeviceEvidenceReaderTests : DeviceEvidenceReaderContract<SqliteProvider>;

public sealed class PostgresDeviceEvidenceReaderTests : DeviceEvidenceReaderContract<PostgresProvider>;
