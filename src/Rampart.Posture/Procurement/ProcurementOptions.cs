namespace Rampart.Posture.Procurement;

/// <summary>The procurement gate in front of enrollment (<c>Rampart:Posture:Procurement</c>).</summary>
public sealed class ProcurementOptions
{
    /// <summary>
    /// When true, a device that names no registered model cannot enroll either. Off by default, so a
    /// fleet without model files keeps enrolling; a model that is registered and refused always blocks.
    /// </summary>
    public bool RequireRegisteredModel { get; set; }
}
