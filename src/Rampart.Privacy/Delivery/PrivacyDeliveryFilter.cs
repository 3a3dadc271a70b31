using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Privacy.Classification;

namespace Rampart.Privacy.Delivery;

/// <summary>
/// Privacy on the path of every delivery to a backend service (the broker's <see cref="IDeliveryFilter"/>):
/// 1. the topic's family and class (a topic outside <c>devices/{id}/</c>, or delivered to a device, passes);
/// 2. personal or sensitive data of a device linked to a subject goes only to a service in a region
///    the subject's region allows (art. 44–49), 3. and only for a purpose the subject consented to or
///    one declared with another lawful basis (art. 6, 7); 4. the service's minimisation rules for the
///    family (art. 5(1)(c)). Refusals are security events. A topic family without rules, or of an
///    unlinked device, costs a span scan and one or two hash lookups.
/// </summary>
public sealed class PrivacyDeliveryFilter(PrivacyPolicy policy, SubjectDirectory subjects, RefusalEvents refusals) : IDeliveryFilter
{
    private const string ServicePrefix = "service:";

    /// <inheritdoc />
    public DeliveryDecision Decide(MqttMessage message, IMqttClientPolicy subscriber)
    {
        var principal = subscriber.Principal;
        if (!principal.StartsWith(ServicePrefix, StringComparison.Ordinal) || policy.Topics.Classify(message.Topic, out var deviceRange) is not { } family)
        {
            return DeliveryDecision.Unchanged;
        }

        var subject = family.Class == DataClass.Operational ? null : subjects.Find(message.Topic.AsSpan()[deviceRange]);
        if (subject is null && !policy.HasRules(family))
        {
            // The path of every topic without rules from a device no subject owns: a span scan and one hash lookup.
            return DeliveryDecision.Unchanged;
        }

        var service = policy.Service(principal);
        if (subject is not null)
        {
            if (!policy.MayTransfer(subject.Region, service?.Region))
            {
                var serviceRegion = service?.Region ?? "undeclared";
                refusals.Record(RefusalEvents.CrossBorder, SecuritySeverity.Warning, message.Topic[deviceRange], subject.Pseudonym, principal, () => new Dictionary<string, string>
                {
                    ["topic-family"] = family.Name, ["class"] = family.Class.ToString().ToLowerInvariant(),
                    ["subject-region"] = subject.Region, ["service-region"] = serviceRegion,
                });
                return DeliveryDecision.Refuse("privacy:cross-border");
            }

            if (service is null || !service.MayReceive(subject.Consented))
            {
                refusals.Record(RefusalEvents.NoConsent, SecuritySeverity.Info, message.Topic[deviceRange], subject.Pseudonym, principal, () => new Dictionary<string, string>
                {
                    ["topic-family"] = family.Name, ["purposes"] = service is null ? "none declared" : string.Join(",", service.Purposes.Keys),
                });
                return DeliveryDecision.Refuse("privacy:no-consent");
            }
        }

        if (service?.RulesFor(family) is not { } rules)
        {
            return DeliveryDecision.Unchanged;
        }

        if (rules.Apply(message.Payload.Span, service.PseudonymKey, out var problem) is { } minimised)
        {
            return DeliveryDecision.Transform(minimised);
        }

        var device = message.Topic[deviceRange];
        refusals.Record(RefusalEvents.MinimisationFailed, SecuritySeverity.Warning, device, subjects.Find(device)?.Pseudonym ?? "-", principal, () => new Dictionary<string, string>
        {
            ["topic-family"] = family.Name, ["reason"] = problem ?? "unknown",
        });
        return DeliveryDecision.Refuse("privacy:minimisation-failed");
    }
}
