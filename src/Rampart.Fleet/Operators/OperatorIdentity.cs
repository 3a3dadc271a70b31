using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Operators;

/// <summary>Who is acting and what they may do, captured once per request.</summary>
public sealed record OperatorIdentity(string Name, string Role, IReadOnlySet<string> Permissions, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones)
{
    /// <summary>True when the identity holds the permission.</summary>
    public bool Has(string permission) => Permissions.Contains(permission);

    /// <summary>True when the device is inside the identity's scope (no scope: every device).</summary>
    public bool CanSee(Device device) =>
        (Sites.Count == 0 || (device.Site is not null && Sites.Contains(device.Site)))
        && (Zones.Count == 0 || (device.Zone is not null && Zones.Contains(device.Zone)));

    /// <summary>The identity of a user in their role.</summary>
    public static OperatorIdentity Of(OperatorUser user, IReadOnlySet<string>? limitTo = null)
    {
        var role = OperatorRole.Find(user.Role) ?? throw new InvalidOperationException($"user {user.Name} has unknown role {user.Role}");
        var permissions = limitTo is null ? role.Permissions : role.Permissions.Intersect(limitTo).ToHashSet(StringComparer.Ordinal);
        return new OperatorIdentity(user.Name, role.Name, permissions, user.Sites, user.Zones);
    }

    /// <summary>The local admin socket's identity.</summary>
    public static OperatorIdentity LocalAdmin { get; } = new("local-admin", OperatorRole.LocalAdmin.Name, OperatorRole.LocalAdmin.Permissions, [], []);
}
