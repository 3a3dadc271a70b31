using Microsoft.Extensions.Options;
using Rampart.Fleet.Enrollment;

namespace Rampart.Fleet.Settings;

/// <summary>Checks <see cref="EnrollmentOptions"/> at start (here rather than beside them, which another change of issue 13 owns).</summary>
public sealed class EnrollmentOptionsValidator : IValidateOptions<EnrollmentOptions>
{
    /// <summary>Configuration section of <see cref="EnrollmentOptions"/>.</summary>
    public const string Section = "Rampart:Enrollment";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EnrollmentOptions options) =>
        new SettingChecks(Section)
            .Positive(nameof(options.DeviceCertificateValidity), options.DeviceCertificateValidity, TimeSpan.FromDays(3650))
            .Positive(nameof(options.ServiceCertificateValidity), options.ServiceCertificateValidity, TimeSpan.FromDays(3650))
            .Positive(nameof(options.BootstrapTokenLifetime), options.BootstrapTokenLifetime, TimeSpan.FromDays(365))
            .Between(nameof(options.RenewalWindowFraction), options.RenewalWindowFraction, 0.0, 1.0)
            .Between(nameof(options.FreeAuthenticationFailures), options.FreeAuthenticationFailures, 0, 1000)
            .Positive(nameof(options.BackoffBase), options.BackoffBase, TimeSpan.FromHours(1))
            .Positive(nameof(options.BackoffMaximum), options.BackoffMaximum, TimeSpan.FromDays(1))
            .Require(options.BackoffMaximum >= options.BackoffBase, nameof(options.BackoffMaximum), "must not be shorter than BackoffBase")
            .Result();
}
