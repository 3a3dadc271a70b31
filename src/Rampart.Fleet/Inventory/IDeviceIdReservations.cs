namespace Rampart.Fleet.Inventory;

/// <summary>Ids another part of Rampart reserves, which no device may be registered with (the gateway reserves its services' client ids).</summary>
public interface IDeviceIdReservations
{
    /// <summary>Why <paramref name="deviceId"/> is reserved, or null when it is free.</summary>
    string? Reserved(string deviceId);
}
