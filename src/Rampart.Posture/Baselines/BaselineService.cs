using Rampart.Fleet.Errors;
using Rampart.Posture.Evidence;
using Rampart.Posture.Procurement;

namespace Rampart.Posture.Baselines;

/// <summary><c>rampart baseline evaluate</c>: a device's, a model's or the whole fleet's baseline, from the evidence Rampart holds now.</summary>
public sealed class BaselineService(FleetEvidenceLoader loader, DeviceEvidenceLoader deviceLoader, ModelRegistry models)
{
    public async Task<DeviceBaseline> DeviceAsync(string deviceId, string? standard, CancellationToken cancellationToken)
    {
        var requirements = Requirements(standard);
        // The device and what its requirements need, never the whole fleet.
        var evidence = await deviceLoader.LoadAsync(deviceId, cancellationToken)
            ?? throw new FleetException(FleetErrorKind.NotFound, $"no device {Echo.Of(deviceId)} (retired devices are not evaluated)");
        return FleetEvaluation.Device(evidence, evidence.Devices[0], requirements);
    }

    public async Task<ModelBaseline> ModelAsync(string modelKey, string? standard, CancellationToken cancellationToken)
    {
        var requirements = Requirements(standard);
        var model = await models.GetAsync(modelKey, cancellationToken);
        return FleetEvaluation.Model(await loader.LoadAsync(cancellationToken), model, requirements);
    }

    public async Task<FleetBaseline> FleetAsync(CancellationToken cancellationToken) => FleetEvaluation.Fleet(await loader.LoadAsync(cancellationToken));

    /// <summary>The requirements of a standard named by <c>--standard</c>, or a clear refusal.</summary>
    public static IReadOnlyList<Requirement> Requirements(string? standard)
    {
        try
        {
            return SecurityBaselines.Of(standard);
        }
        catch (ArgumentException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }
    }
}
