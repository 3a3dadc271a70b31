namespace Rampart.Posture.Evidence;

/// <summary>
/// The known vulnerabilities a device's firmware is exposed to, from the supply-chain capability (SBOMs
/// matched against vulnerability data). Posture does not build that: the host plugs in a source, and
/// without one every question is answered <see cref="ExposureAnswer.NoSource"/>, reported as not assessable.
/// </summary>
public interface IVulnerabilityExposure
{
    /// <summary>The device's exposure, or an answer saying why there is none.</summary>
    ExposureAnswer ExposureOf(string deviceId, string? firmwareVersion);
}

/// <summary>A device's known vulnerabilities: counts by severity, or that nothing can be said.</summary>
public sealed record ExposureAnswer(bool Assessable, int Critical, int High, int Other, string Source)
{
    /// <summary>No vulnerability source is installed: not assessable, never a pass.</summary>
    public static ExposureAnswer NoSource { get; } = new(false, 0, 0, 0, "no vulnerability source is installed (supply chain)");
}

/// <summary>The source in force when the host plugs in none.</summary>
public sealed class NoVulnerabilitySource : IVulnerabilityExposure
{
    /// <inheritdoc />
    public ExposureAnswer ExposureOf(string deviceId, string? firmwareVersion) => ExposureAnswer.NoSource;
}
