using Rampart.Fleet.Inventory;
using Rampart.Mqtt.Topics;

namespace Rampart.Fleet.Permissions;

/// <summary>
/// Topic permissions with an <c>{id}</c> placeholder, bound to a verified identity at connect time.
/// The id is substituted only after it is checked to be a device id (<see cref="Inventory.DeviceIds"/>), so it can never
/// add a level, a wildcard or a <c>$</c> prefix (threat model, "Least privilege").
/// </summary>
public sealed record PermissionTemplate(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe)
{
    /// <summary>The placeholder for the verified id.</summary>
    public const string IdPlaceholder = "{id}";

    /// <summary>A device's own subtree: telemetry, events and state out; commands and config in.</summary>
    public static PermissionTemplate Device { get; } = new(
        ["devices/{id}/telemetry/#", "devices/{id}/events/#", "devices/{id}/state"],
        ["devices/{id}/commands/#", "devices/{id}/config"]);

    /// <summary>A quarantined device may only report its state.</summary>
    public static PermissionTemplate Quarantine { get; } = new(["devices/{id}/state"], []);

    /// <summary>The permissions of <paramref name="id"/>; throws when the id is not a valid identity.</summary>
    public TopicPermissions Bind(string id)
    {
        if (!DeviceIds.CanName(id))
        {
            throw new ArgumentException($"'{id}' is not a valid identity for a permission template", nameof(id));
        }

        return new TopicPermissions(Publish.Select(f => Substitute(f, id)).ToArray(), Subscribe.Select(f => Substitute(f, id)).ToArray());
    }

    /// <summary>Checks that every filter is valid once bound (for templates from configuration).</summary>
    public string? Problem()
    {
        foreach (var filter in Publish.Concat(Subscribe))
        {
            if (!MqttTopics.IsValidTopicFilter(filter.Replace(IdPlaceholder, "x", StringComparison.Ordinal)))
            {
                return $"'{filter}' is not a valid topic filter";
            }
        }

        return null;
    }

    private static string Substitute(string filter, string id) => filter.Replace(IdPlaceholder, id, StringComparison.Ordinal);
}
