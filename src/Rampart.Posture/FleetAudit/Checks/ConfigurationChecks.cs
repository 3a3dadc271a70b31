using Rampart.Fleet.Permissions;

namespace Rampart.Posture.FleetAudit.Checks;

/// <summary>Device Defender's IOT_POLICY_OVERLY_PERMISSIVE_CHECK: a service template that reaches every topic or every device's whole subtree.</summary>
public sealed class OverlyPermissiveTemplates : IAuditCheck
{
    private static readonly string[] Broad = ["#", "+/#", "devices/#", "devices/+/#", "$SYS/#"];

    public string Id => "overly-permissive-service-template";
    public string Title => "Overly permissive service templates (#)";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Narrow the service's Publish/Subscribe filters (Rampart:Gateway:Services) to the topics it needs, e.g. devices/+/telemetry/#.";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Environment.Services.Values.SelectMany(service => Filters(service)
            .Where(f => Broad.Contains(TopicFilters.Reach(f.Filter), StringComparer.Ordinal))
            .Select(f => $"service/{service.Name} ({f.Direction} {f.Filter})")),
        "service template filter(s) reaching every topic or every device's subtree");

    internal static IEnumerable<(string Direction, string Filter)> Filters(ServicePermissions service) =>
        service.Topics.Publish.Select(f => ("publish", f)).Concat(service.Topics.Subscribe.Select(f => ("subscribe", f)));
}

/// <summary>
/// Device Defender's IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK, for Rampart's topics: a service that may
/// speak for devices (publish on their telemetry, events or state), read their commands, or command devices of
/// a restricted zone whose policy does not name it.
/// </summary>
public sealed class MisconfiguredTemplates : IAuditCheck
{
    public string Id => "potentially-misconfigured-service-template";
    public string Title => "Potentially misconfigured service templates";
    public FindingSeverity Severity => FindingSeverity.Medium;
    public string Fix => "Services publish commands and config, and subscribe to telemetry, events and state; name command services in each restricted zone's CommandServices.";

    public CheckOutcome Run(AuditContext context)
    {
        var restricted = context.Environment.Zones.Zones.Values.Where(z => z.Restricted).ToArray();
        var problems = new List<string>();
        foreach (var service in context.Environment.Services.Values)
        {
            foreach (var (direction, filter) in OverlyPermissiveTemplates.Filters(service))
            {
                var reach = TopicFilters.Reach(filter);
                var speaksForDevices = direction == "publish" && (Covers(reach, "devices/x/telemetry/a") || Covers(reach, "devices/x/state") || Covers(reach, "devices/x/events/a"));
                var readsCommands = direction == "subscribe" && Covers(reach, "devices/x/commands/a");
                if (speaksForDevices || readsCommands)
                {
                    problems.Add($"service/{service.Name} ({direction} {filter}: {(speaksForDevices ? "publishes as the devices" : "reads their commands")})");
                }
            }

            if (service.Topics.Publish.Any(f => Covers(TopicFilters.Reach(f), "devices/x/commands/a")))
            {
                problems.AddRange(restricted.Where(z => !z.CommandServices.Contains(service.Name, StringComparer.Ordinal))
                    .Select(z => $"service/{service.Name} (may command devices of restricted zone {z.Name}, whose policy does not name it)"));
            }
        }

        return CheckOutcome.Of(problems, "service template problem(s)");
    }

    private static bool Covers(string filter, string topic) => Rampart.Mqtt.Topics.MqttTopics.Matches(filter, topic);
}

/// <summary>Device Defender's LOGGING_DISABLED_CHECK: security events leave the node for no SIEM (docs/export.md).</summary>
public sealed class ExportDisabled : IAuditCheck
{
    public string Id => "logging-export-disabled";
    public string Title => "Logging and export disabled";
    public FindingSeverity Severity => FindingSeverity.Medium;
    public string Fix => "Configure a syslog (RFC 5425) or webhook destination under Rampart:Export so events and audit checkpoints leave the node.";

    public CheckOutcome Run(AuditContext context) => context.Environment.ExportDestinations is { Length: > 0 } destinations
        ? new CheckOutcome(CheckStatus.Compliant, [], $"exporting to {destinations}")
        : CheckOutcome.Of(["node/export"], "node exports no security events");
}

/// <summary>Operators who can sign in without a second factor.</summary>
public sealed class OperatorsWithoutMfa : IAuditCheck
{
    public string Id => "operators-without-mfa";
    public string Title => "Operators without MFA";
    public FindingSeverity Severity => FindingSeverity.High;
    public string Fix => "Disable the account and invite the operator again with a role that requires TOTP (rampart user add NAME --role R).";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.Users.Where(u => u.Activated && !u.Disabled && u.SealedTotpSecret is null).Select(u => $"user/{u.Name} ({u.Role})"),
        "active operator(s) without a TOTP second factor");
}

/// <summary>Bootstrap tokens never used that expire soon: a device that was never installed, or a token lying around.</summary>
public sealed class UnusedBootstrapTokens : IAuditCheck
{
    public string Id => "unused-bootstrap-tokens-near-expiry";
    public string Title => "Unused bootstrap tokens near expiry";
    public FindingSeverity Severity => FindingSeverity.Low;
    public string Fix => "Enroll the device, or revoke the token by retiring the device or issuing a new one when it is installed (rampart device token ID).";

    public CheckOutcome Run(AuditContext context) => CheckOutcome.Of(
        context.Evidence.UnusedTokens.Where(t => t.Expires <= context.Now.AddHours(context.Options.TokenExpiryHours))
            .Select(t => $"device/{t.DeviceId} (token {t.Id} expires {t.Expires:yyyy-MM-dd HH:mm}Z)"),
        $"unused bootstrap token(s) expiring within {context.Options.TokenExpiryHours} hours");
}
