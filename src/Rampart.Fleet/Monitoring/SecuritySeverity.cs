namespace Rampart.Fleet.Monitoring;

/// <summary>How urgent a security event is.</summary>
public enum SecuritySeverity
{
    /// <summary>Expected activity worth keeping (an issuance).</summary>
    Info,

    /// <summary>A refusal or a limit reached.</summary>
    Warning,

    /// <summary>A sign of attack: key reuse, cloned identity, brute force.</summary>
    High,
}
