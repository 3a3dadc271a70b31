namespace Rampart.Fleet.Enrollment;

/// <summary>Settings of device and service enrollment (section <c>Rampart:Enrollment</c>).</summary>
public sealed class EnrollmentOptions
{
    /// <summary>Validity of a device certificate.</summary>
    public TimeSpan DeviceCertificateValidity { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Validity of a service certificate.</summary>
    public TimeSpan ServiceCertificateValidity { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long a bootstrap token can be used.</summary>
    public TimeSpan BootstrapTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Renewal is allowed in this final fraction of a certificate's validity (default: the last third).</summary>
    public double RenewalWindowFraction { get; set; } = 1.0 / 3.0;

    /// <summary>Failed authentications allowed per source or device before backoff starts.</summary>
    public int FreeAuthenticationFailures { get; set; } = 5;

    /// <summary>First backoff; it doubles with every further failure.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff.</summary>
    public TimeSpan BackoffMaximum { get; set; } = TimeSpan.FromMinutes(15);
}
