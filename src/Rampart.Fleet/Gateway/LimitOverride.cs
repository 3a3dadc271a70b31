namespace Rampart.Fleet.Gateway;

/// <summary>
/// Tighter publish limits for one device than <see cref="GatewayOptions"/> gives every device: the
/// "tighten limits" response (issue 14, item 5). Applied to the identity's shared
/// <see cref="IdentityLimits"/>, so its live session feels it at its next PUBLISH; it only ever
/// lowers what the device may do (both the override's and the default buckets are charged).
/// </summary>
public sealed record LimitOverride(double MessagesPerSecond, double MessageBurst, double BytesPerSecond, double ByteBurst)
{
    /// <summary>What is wrong with the values, or null when they can be applied.</summary>
    public string? Problem() =>
        MessagesPerSecond is <= 0 or > 1_000_000 || MessageBurst is < 1 or > 1_000_000
            ? "the tightened message rate must be above 0 and its burst at least 1 (at most 1,000,000 each)"
            : BytesPerSecond is <= 0 or > 1e12 || ByteBurst is < 1 or > 1e12
                ? "the tightened byte rate must be above 0 and its burst at least 1"
                : null;
}
