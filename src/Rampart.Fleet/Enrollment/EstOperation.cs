namespace Rampart.Fleet.Enrollment;

/// <summary>The EST operations that issue certificates (RFC 7030 §4.2).</summary>
public enum EstOperation
{
    /// <summary>/simpleenroll: a first certificate.</summary>
    Enroll,

    /// <summary>/simplereenroll: renewal or rekey with the current certificate.</summary>
    Reenroll,
}
