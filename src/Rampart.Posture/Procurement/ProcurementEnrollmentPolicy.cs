using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Posture.Models;

namespace Rampart.Posture.Procurement;

/// <summary>
/// The procurement gate in front of enrollment (issue 18, item 3): a device whose vendor and model name a
/// model the gate refused cannot enroll, and is told which provisions its model failed. A device naming
/// no registered model enrolls unless <see cref="ProcurementOptions.RequireRegisteredModel"/> is set.
/// Renewals of enrolled devices are not blocked here: the fleet audit and confinement handle those.
/// </summary>
public sealed class ProcurementEnrollmentPolicy(IDeviceStore devices, IDeviceModelStore models, ProcurementOptions options) : IEnrollmentPolicy
{
    public const string RefusedCode = "model-not-admitted";

    public async Task<EnrollmentRefusal?> CheckAsync(EstOperation operation, string deviceId, CancellationToken cancellationToken)
    {
        if (operation != EstOperation.Enroll || await devices.GetAsync(deviceId, cancellationToken) is not { } device)
        {
            return null;
        }

        if (device.Model is null)
        {
            return options.RequireRegisteredModel
                ? Refuse(deviceId, $"device {deviceId} names no device model, and this node admits only devices of models the procurement gate admitted")
                : null;
        }

        var key = DeviceModel.KeyOf(device.Vendor, device.Model);
        return await models.GetAsync(key, cancellationToken) switch
        {
            null when options.RequireRegisteredModel => Refuse(deviceId, $"model {key} of device {deviceId} is not registered; add it with rampart model add"),
            null => null,
            { Admission.Admitted: true } => null,
            var refused => Refuse(deviceId, $"model {key} of device {deviceId} was refused by the procurement gate: fails {refused.Admission.FailedSummary}"),
        };
    }

    private static EnrollmentRefusal Refuse(string deviceId, string message) => new(EnrollmentRefusalKind.Forbidden, RefusedCode, message, deviceId);
}
