using Rampart.Fleet.Monitoring;

namespace Rampart.Network.Analysis;

/// <summary>
/// What the network showed that needs a person: <c>network.unknown-device</c>, <c>network.insecure-protocol</c>
/// or <c>network.zone-violation</c>, about a registered device (<see cref="DeviceId"/>) or an address.
/// </summary>
public sealed record NetworkFinding(string Kind, SecuritySeverity Severity, string? DeviceId, string Address, string Summary, IReadOnlyDictionary<string, string> Details)
{
    public const string UnknownDevice = "network.unknown-device";
    public const string InsecureProtocol = "network.insecure-protocol";
    public const string ZoneViolation = "network.zone-violation";
}
