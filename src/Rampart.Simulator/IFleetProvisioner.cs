namespace Rampart.Simulator;

/// <summary>Registers a device with the node and returns its one-time bootstrap token (an operator's step, not a device's).</summary>
public interface IFleetProvisioner
{
    Task<string> AddDeviceAsync(string id, string model, DateOnly? supportUntil, CancellationToken cancellationToken);
}
