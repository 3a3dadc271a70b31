namespace Rampart.Device.Updates;

/// <summary>A firmware version and its security version number.</summary>
public sealed record InstalledFirmware(string Version, long SecurityVersion);
