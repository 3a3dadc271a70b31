using Rampart.Detection.Alerts;
using Rampart.Detection.Detectors;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Network.Analysis;
using Rampart.Network.Captures;
using Rampart.Network.Flows;
using Rampart.Network.Inventory;
using Rampart.Posture.Zones;

namespace Rampart.Network;

/// <summary>What one import or collector batch did.</summary>
public sealed record NetworkIngestSummary(long Frames, long UndecodedFrames, long OverflowedPackets, int Flows, int Hosts, int NewHosts, int UnknownHosts, int Findings, int EventsSuppressed);

/// <summary>
/// Network visibility (issue 21 item 5): flows from a capture or the collector are judged against the
/// fleet, merged into the passive inventory, and what was found becomes security events (committed with
/// the inventory and, for an import, its audit record) and, for registered devices, alerts through
/// detection's <see cref="AlertService"/> (so the response policy sees them as it sees any alert).
/// One batch at a time: the inventory's read-merge-write is not raced by another batch of this node.
/// </summary>
public sealed class NetworkVisibility(
    NetworkOptions options, INetworkStore store, IDeviceStore devices, IConfinementStore confinements, ZonePolicy zones, OuiRegistry vendors,
    IAuditLog audit, AlertService alerts, TimeProvider time)
{
    /// <summary>Registered-device addresses considered per batch.</summary>
    public const int MaxDeviceAddresses = 100_000;

    private readonly NetworkJudge _judge = new(options, zones, vendors);
    private readonly SemaphoreSlim _batch = new(1, 1);

    /// <summary>Imports a pcap or pcapng capture (<c>rampart network import FILE.pcap</c>); a malformed file imports nothing.</summary>
    public async Task<NetworkIngestSummary> ImportCaptureAsync(Stream capture, string actor, CancellationToken cancellationToken)
    {
        var reader = new CaptureReader(capture, new CaptureLimits { MaxFileBytes = options.MaxCaptureBytes });
        var table = new FlowTable(options.MaxFlowsPerImport);
        long undecoded = 0;
        while (await reader.NextAsync(cancellationToken) is { } frame)
        {
            if (FrameDissector.TryDissect(frame, out var facts))
            {
                table.Add(facts, frame.Time);
            }
            else
            {
                undecoded++;
            }
        }

        var summary = await IngestAsync(table.Flows(), actor, "network.imported", cancellationToken);
        return summary with { Frames = reader.Frames, UndecodedFrames = undecoded, OverflowedPackets = table.Overflowed };
    }

    /// <summary>Judges and stores flows (the collector's batches; imports after reading their file).</summary>
    public async Task<NetworkIngestSummary> IngestAsync(IReadOnlyList<FlowRecord> flows, string actor, string action, CancellationToken cancellationToken)
    {
        await _batch.WaitAsync(cancellationToken);
        try
        {
            var fleet = await FleetAsync(flows, cancellationToken);
            var judgement = _judge.Judge(flows, fleet);
            var stored = (await store.GetHostsAsync(judgement.Hosts.Select(h => h.Address).ToArray(), cancellationToken)).ToDictionary(h => h.Address, StringComparer.Ordinal);
            var merged = judgement.Hosts.Select(h => h.MergedInto(stored.GetValueOrDefault(h.Address))).ToArray();
            var findings = new List<NetworkFinding>(judgement.Findings);

            // A host seen for the first time that is no registered device is an unknown device (once: it is stored now).
            var fresh = merged.Where(h => !stored.ContainsKey(h.Address)).ToArray();
            foreach (var host in fresh.Where(h => h.DeviceId is null))
            {
                findings.Add(new NetworkFinding(NetworkFinding.UnknownDevice, SecuritySeverity.Warning, null, host.Address,
                    $"unknown host {host.Address} on the network" + (host.Vendor is null ? string.Empty : $" ({host.Vendor})"),
                    new Dictionary<string, string> { ["mac"] = host.Mac ?? "-", ["vendor"] = host.Vendor ?? "-", ["ports"] = string.Join(' ', host.Ports) }));
            }

            var raised = findings.Take(options.MaxEventsPerBatch).ToArray();
            var now = time.GetUtcNow();
            var events = raised.Select(f => new SecurityEvent(now, f.Kind, f.Severity, f.DeviceId, f.Address, new Dictionary<string, string>(f.Details) { ["summary"] = f.Summary })).ToArray();
            var summary = new NetworkIngestSummary(0, 0, 0, flows.Count, merged.Length, fresh.Length, merged.Count(h => h.DeviceId is null), findings.Count, findings.Count - raised.Length);
            await audit.CommitAsync(async (transaction, commit) =>
            {
                await store.SaveHostsAsync(transaction, merged, commit);
                var record = new AuditRecord(actor, action, "network", AuditOutcome.Success, new Dictionary<string, string>
                {
                    ["flows"] = Text(flows.Count),
                    ["hosts"] = Text(merged.Length),
                    ["new-hosts"] = Text(fresh.Length),
                    ["findings"] = Text(findings.Count),
                });
                return AuditedOutcome<bool>.Done(true, [record], events);
            }, cancellationToken);

            // Registered devices' findings become alerts, deduplicated by device and kind as every detector's are.
            var alertable = raised.Where(f => f.DeviceId is not null && f.Kind != NetworkFinding.UnknownDevice)
                .Select(f => new Finding(f.Kind, f.DeviceId!, AlertSeverity.High, f.Summary, f.Details, now)).ToArray();
            if (alertable.Length > 0)
            {
                await alerts.RaiseAsync(alertable, cancellationToken);
            }

            return summary;
        }
        finally
        {
            _batch.Release();
        }
    }

    public Task<IReadOnlyList<NetworkHost>> ListAsync(bool unknownOnly, int limit, CancellationToken cancellationToken) =>
        store.ListHostsAsync(unknownOnly, Math.Clamp(limit, 1, 10_000), cancellationToken);

    /// <summary>
    /// Binds an address or a MAC (exactly one) to a registered device by hand (<c>rampart network bind</c>):
    /// audited as <c>network.bound</c> in the transaction that stores it; stored hosts with that address or
    /// MAC are matched at once, and every later import and collector batch matches them.
    /// </summary>
    // Not named BindAsync: ASP.NET minimal APIs would take this service for a self-binding parameter type.
    public async Task<NetworkBinding> AddBindingAsync(string? address, string? mac, string deviceId, string actor, CancellationToken cancellationToken)
    {
        var (kind, value) = NetworkBinding.Parse(address, mac);
        if (await devices.GetAsync(deviceId, cancellationToken) is null)
        {
            throw new FleetException(FleetErrorKind.NotFound, $"no device '{deviceId}' is registered");
        }

        var binding = new NetworkBinding(kind, value, deviceId, actor, time.GetUtcNow());
        return (await audit.CommitAsync(async (transaction, commit) =>
        {
            await store.BindAsync(transaction, binding, commit);
            var record = new AuditRecord(actor, "network.bound", $"device/{deviceId}", AuditOutcome.Success, new Dictionary<string, string> { [kind] = value });
            return AuditedOutcome<NetworkBinding>.Done(binding, record);
        }, cancellationToken)).Value;
    }

    /// <summary>Removes a binding (audited as <c>network.unbound</c>); not found when there is none.</summary>
    public async Task<NetworkBinding> RemoveBindingAsync(string? address, string? mac, string actor, CancellationToken cancellationToken)
    {
        var (kind, value) = NetworkBinding.Parse(address, mac);
        var removed = (await audit.CommitAsync(async (transaction, commit) =>
        {
            if (await store.UnbindAsync(transaction, kind, value, commit) is not { } binding)
            {
                return AuditedOutcome<NetworkBinding?>.Nothing(null);
            }

            var record = new AuditRecord(actor, "network.unbound", $"device/{binding.DeviceId}", AuditOutcome.Success, new Dictionary<string, string> { [kind] = value });
            return AuditedOutcome<NetworkBinding?>.Done(binding, record);
        }, cancellationToken)).Value;
        return removed ?? throw new FleetException(FleetErrorKind.NotFound, $"no binding of {kind} {value}");
    }

    public Task<IReadOnlyList<NetworkBinding>> ListBindingsAsync(CancellationToken cancellationToken) => store.ListBindingsAsync(NetworkBinding.MaxBindings, cancellationToken);

    // Address → device: where the gateway saw each device connect from, overruled by the operator's bindings
    // (an address binding, then a MAC binding for the address a frame of this batch came from with that MAC).
    private async Task<FleetView> FleetAsync(IReadOnlyList<FlowRecord> flows, CancellationToken cancellationToken)
    {
        var addresses = new Dictionary<string, string>(await store.DeviceAddressesAsync(MaxDeviceAddresses, cancellationToken), StringComparer.Ordinal);
        var bindings = await store.ListBindingsAsync(NetworkBinding.MaxBindings, cancellationToken);
        var macs = bindings.Where(b => b.Kind == NetworkBinding.Mac).ToDictionary(b => b.Value, b => b.DeviceId, StringComparer.Ordinal);
        if (macs.Count > 0)
        {
            foreach (var flow in flows)
            {
                if (flow.SourceMac is { } mac && macs.TryGetValue(NetworkBinding.Print(mac), out var byMac))
                {
                    addresses[flow.Source.ToString()] = byMac;
                }
            }
        }

        foreach (var binding in bindings.Where(b => b.Kind == NetworkBinding.Address))
        {
            addresses[binding.Value] = binding.DeviceId;
        }

        var confined = (await confinements.ListAsync(cancellationToken)).Where(c => c.Released is null).Select(c => c.DeviceId).ToHashSet(StringComparer.Ordinal);
        var deviceZones = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var deviceId in addresses.Values.Distinct(StringComparer.Ordinal))
        {
            if (await devices.GetAsync(deviceId, cancellationToken) is { } device)
            {
                deviceZones[deviceId] = zones.EffectiveZone(device.Zone, confined.Contains(deviceId));
            }
        }

        return new FleetView(addresses, deviceZones, zones);
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
