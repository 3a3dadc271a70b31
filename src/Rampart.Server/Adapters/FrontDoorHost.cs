using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Identity;
using Rampart.Adapters.Links;
using Rampart.Fleet.Secrets;

namespace Rampart.Server.Adapters;

/// <summary>The front doors' shared parts, as the host's endpoints and listeners use them.</summary>
internal sealed class FrontDoorHost(
    AdapterOptions options, AdapterGateway gateway, DeviceLinks links, CertificateDevices certificates, PskDevices psks, LegacyDevices legacy, TimeProvider time)
{
    public AdapterOptions Options { get; } = options;

    public AdapterGateway Gateway { get; } = gateway;

    public DeviceLinks Links { get; } = links;

    public CertificateDevices Certificates { get; } = certificates;

    public PskDevices Psks { get; } = psks;

    public LegacyDevices Legacy { get; } = legacy;

    /// <summary>Failed legacy logins per source address: a few are free, then each doubles the wait (the legacy secret is the only factor).</summary>
    public FailureBackoff LegacyFailures { get; } = new(time, 5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
}
