namespace Rampart.Detection.Detectors;

/// <summary>How urgent a finding or alert is; ordered, so a policy can say "at least high".</summary>
public enum AlertSeverity
{
    Low,
    Medium,
    High,
    Critical,
}
