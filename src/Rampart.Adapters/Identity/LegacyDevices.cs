using System.Security.Cryptography;
using System.Text;
using Rampart.Adapters.Credentials;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Secrets;

namespace Rampart.Adapters.Identity;

/// <summary>
/// Devices registered as legacy, at the legacy adapter only: the device's own secret (its SHA-256
/// compared in constant time with the verifier on record), an open legacy registration, and the
/// device active (legacy template: telemetry only) or quarantined.
/// </summary>
public sealed class LegacyDevices(IDeviceStore devices, IDeviceCredentialStore credentials, IEnumerable<IDeviceTemplatePolicy> zones)
{
    /// <summary>Resolves <paramref name="deviceId"/> and the secret it presented.</summary>
    public async Task<FrontDoorResolution> ResolveAsync(string deviceId, string? secret, CancellationToken cancellationToken)
    {
        if (!DeviceIds.CanName(deviceId) || secret is not { Length: > 0 and <= SecretToken.MaxLength })
        {
            return FrontDoorResolution.Refuse("no-credential", "a legacy device id and its secret are required");
        }

        var registration = await credentials.GetLegacyAsync(deviceId, cancellationToken);
        var credential = await credentials.GetActiveAsync(deviceId, CredentialKind.Legacy, cancellationToken);

        // The hash is computed whatever was found, so a missing device and a wrong secret take the same time.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var matches = CryptographicOperations.FixedTimeEquals(presented, credential?.Verifier ?? new byte[presented.Length]) && credential is not null;
        if (!matches || registration is null || registration.Replaced is not null)
        {
            return FrontDoorResolution.Refuse("bad-credential", "unknown legacy device or wrong secret");
        }

        var device = await devices.GetAsync(deviceId, cancellationToken);
        var template = DeviceTemplates.For(device, legacy: true, zones);
        return template is null
            ? FrontDoorResolution.Refuse("device-not-active", DeviceTemplates.NotActive(deviceId, device))
            : FrontDoorResolution.Of(new FrontDoorIdentity(
                new ClientIdentity(ClientKind.Device, deviceId, credential!.Name, template.Bind(deviceId)), FrontDoorNames.Legacy, Legacy: true));
    }
}
