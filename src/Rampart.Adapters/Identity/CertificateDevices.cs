using System.Security.Cryptography.X509Certificates;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Gateway;

namespace Rampart.Adapters.Identity;

/// <summary>
/// Devices that present a certificate at a front door: exactly the gateway's resolution
/// (<see cref="ClientIdentityResolver"/>: one of this CA's live device certificates, the device active
/// or quarantined, which selects its template). Service certificates are refused: services use MQTT.
/// </summary>
public sealed class CertificateDevices(ClientIdentityResolver resolver)
{
    /// <summary>Resolves <paramref name="certificate"/> for <paramref name="frontDoor"/>.</summary>
    public async Task<FrontDoorResolution> ResolveAsync(X509Certificate2? certificate, string frontDoor, bool chainVerified, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await resolver.ResolveAsync(certificate, cancellationToken, chainVerified);
        if (refusal is not null || identity is null)
        {
            return FrontDoorResolution.Refuse(refusal?.Code ?? "no-certificate", refusal?.Message ?? "a device certificate is required");
        }

        return identity.Kind != ClientKind.Device
            ? FrontDoorResolution.Refuse("not-a-device", $"{identity.Principal} is a service; services connect over MQTT", FrontDoorRefusalKind.Forbidden)
            : FrontDoorResolution.Of(new FrontDoorIdentity(identity, frontDoor, Legacy: false));
    }
}
