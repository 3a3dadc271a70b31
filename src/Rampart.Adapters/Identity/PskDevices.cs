using Rampart.Adapters.Credentials;
using Rampart.Adapters.FrontDoors;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Secrets;

namespace Rampart.Adapters.Identity;

/// <summary>
/// Devices that authenticate with their PSK (CoAP over DTLS, RFC 4279): the PSK identity is the device
/// id; the key is the one Rampart issued, opened from its sealed copy only for the handshake. The DTLS
/// Finished check proves the device holds it (RFC 5246 §7.4.9; BouncyCastle compares in constant time).
/// </summary>
public sealed class PskDevices(IDeviceStore devices, IDeviceCredentialStore credentials, SecretBox box, IEnumerable<IDeviceTemplatePolicy> zones)
{
    /// <summary>The associated data a PSK is sealed under: it cannot be moved to another device or key id.</summary>
    public static byte[] SealContext(string deviceId, string keyId) => System.Text.Encoding.UTF8.GetBytes($"rampart-psk|{deviceId}|{keyId}");

    /// <summary>The key in force for <paramref name="deviceId"/> and its credential name, or null (unknown identity, no PSK).</summary>
    public async Task<(byte[] Key, string Credential)?> KeyAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (!DeviceIds.CanName(deviceId))
        {
            return null;
        }

        var credential = await credentials.GetActiveAsync(deviceId, CredentialKind.Psk, cancellationToken);
        if (credential?.Sealed is not { } sealedKey)
        {
            return null;
        }

        return (box.Open(sealedKey, SealContext(deviceId, credential.KeyId)), credential.Name);
    }

    /// <summary>
    /// The identity of a device whose handshake proved <paramref name="credential"/>: the PSK must still be
    /// in force, the device active or quarantined and not flagged legacy; an active device's zone chooses its template, as at an MQTT CONNECT.
    /// </summary>
    public async Task<FrontDoorResolution> ResolveAsync(string deviceId, string credential, string frontDoor, CancellationToken cancellationToken)
    {
        var current = await credentials.GetActiveAsync(deviceId, CredentialKind.Psk, cancellationToken);
        if (current is null || current.Name != credential)
        {
            return FrontDoorResolution.Refuse("psk-not-in-force", $"the PSK of device {deviceId} was rotated or revoked");
        }

        var device = await devices.GetAsync(deviceId, cancellationToken);
        var template = DeviceTemplates.For(device, legacy: false, zones);
        return template is null
            ? FrontDoorResolution.Refuse("device-not-active", DeviceTemplates.NotActive(deviceId, device))
            : FrontDoorResolution.Of(new FrontDoorIdentity(new ClientIdentity(ClientKind.Device, deviceId, credential, template.Bind(deviceId)), frontDoor, Legacy: false));
    }
}
