using Rampart.Fleet.Gateway;

namespace Rampart.Detection.Response;

/// <summary>A device's tightened limits as stored: what the gateway applies, and the alert that asked for them.</summary>
public sealed record DeviceLimitOverride(string DeviceId, LimitOverride Limits, long AlertId, string Reason, string SetBy, DateTimeOffset Set);
