using Rampart.Fleet.Inventory;
using Rampart.Posture.Baselines.Judges;

namespace Rampart.Posture.FleetAudit.Checks;

/// <summary>Devices past the end of their support (the inventory's date, else the model's).</summary>
public sealed class UnsupportedFirmware : IAuditCheck
{
    public string Id => "unsupported-firmware";
    public string Title => "Devices on unsupported firmware";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Replace the device, or keep it confined (rampart zones list); record a new support date if the vendor extended it.";

    public CheckOutcome Run(AuditContext context)
    {
        var today = DateOnly.FromDateTime(context.Now.UtcDateTime);
        return CheckOutcome.Of(
            context.Evidence.Devices.Select(d => (Device: d, Until: d.SupportUntil ?? context.Evidence.ModelOf(d)?.Model.Capabilities.Update.SupportUntil))
                .Where(d => d.Until < today).Select(d => $"device/{d.Device.Id} (support ended {d.Until:yyyy-MM-dd})"),
            "device(s) past the end of support");
    }
}

/// <summary>Active devices that never reported firmware through Rampart's update channel, or not for N days.</summary>
public sealed class NeverUpdated : IAuditCheck
{
    public string Id => "never-updated";
    public string Title => "Devices never updated";
    public FindingSeverity Severity => FindingSeverity.Medium;
    public string Fix => "Roll out the current release to them (rampart rollout create); a device that cannot take updates should be confined or replaced.";

    public CheckOutcome Run(AuditContext context)
    {
        var cutoff = context.Now.AddDays(-context.Options.NeverUpdatedDays);
        return CheckOutcome.Of(
            context.Evidence.Devices.Where(d => d.State == DeviceState.Active && d.Created < cutoff)
                .Where(d => !context.Evidence.Firmware.TryGetValue(d.Id, out var firmware) || firmware.Reported < cutoff)
                .Select(d => $"device/{d.Id}"),
            $"active device(s) with no update report in {context.Options.NeverUpdatedDays} days");
    }
}

/// <summary>Devices whose firmware has a known critical or high vulnerability (the supply-chain source; not assessable without one).</summary>
public sealed class VulnerableDevices : IAuditCheck
{
    public string Id => "exposed-to-known-vulnerability";
    public string Title => "Devices exposed to a known vulnerability";
    public FindingSeverity Severity => FindingSeverity.Critical;
    public string Fix => "Roll out a fixed release; until then keep the devices confined.";

    public CheckOutcome Run(AuditContext context)
    {
        var answers = context.Evidence.Devices.Select(d => (Device: d, Answer: context.Evidence.SubjectOf(d).Exposure)).ToArray();
        if (answers.Length > 0 && answers.All(a => !a.Answer.Assessable))
        {
            return CheckOutcome.NotAssessable(answers[0].Answer.Source);
        }

        return CheckOutcome.Of(answers.Where(a => a.Answer.Critical + a.Answer.High > 0).Select(a => $"device/{a.Device.Id} ({a.Answer.Critical} critical, {a.Answer.High} high)"),
            "device(s) with known critical or high vulnerabilities");
    }
}

/// <summary>Devices whose last posture lists an insecure or undeclared service listening.</summary>
public sealed class InsecureServicesListening : IAuditCheck
{
    public string Id => "insecure-services-listening";
    public string Title => "Insecure services listening";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Disable the service on the device (its vendor's configuration or a firmware update); confine the device until it is gone.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.Devices.Select(d => (Device: d, Posture: context.Evidence.Postures.GetValueOrDefault(d.Id)))
            .Where(d => d.Posture is not null)
            .Select(d => (d.Device, Offending: NetworkServices.Offending(d.Posture!, context.Evidence.ModelOf(d.Device)?.Model.Capabilities.ListeningPorts)))
            .Where(d => d.Offending.Count > 0)
            .Select(d => $"device/{d.Device.Id} ({string.Join(", ", d.Offending)})"),
        "device(s) with an insecure or undeclared service listening");
}

/// <summary>Devices quarantined for longer than N days: containment that was never followed up.</summary>
public sealed class LongQuarantines : IAuditCheck
{
    public string Id => "long-quarantine";
    public string Title => "Long quarantines";
    public FindingSeverity Severity => FindingSeverity.Medium;
    public string Fix => "Investigate and release (rampart device release) or retire the device.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.Devices.Where(d => d.State == DeviceState.Quarantined && context.Now - d.Updated > TimeSpan.FromDays(context.Options.LongQuarantineDays))
            .Select(d => $"device/{d.Id} (since {d.Updated:yyyy-MM-dd})"),
        $"device(s) quarantined for more than {context.Options.LongQuarantineDays} days");
}
