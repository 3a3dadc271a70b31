using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Enrollment;

/// <summary>Which device states may enroll.</summary>
internal static class DeviceStates
{
    public static EnrollmentRefusal? RefuseUnlessEnrollable(Device? device, string deviceId, bool firstEnrollment)
    {
        if (device is null)
        {
            return new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, "unknown-device",
                $"device {deviceId} is not in the inventory; add it first (rampart device add {deviceId})", deviceId);
        }

        return device.State switch
        {
            DeviceState.Registered when firstEnrollment => null,
            DeviceState.Active => null,
            DeviceState.Registered => new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, "not-enrolled", $"device {deviceId} has not enrolled yet", deviceId),
            _ => new EnrollmentRefusal(EnrollmentRefusalKind.Forbidden, $"device-{device.State.ToString().ToLowerInvariant()}",
                $"device {deviceId} is {device.State.ToString().ToLowerInvariant()} and cannot enroll", deviceId),
        };
    }
}
