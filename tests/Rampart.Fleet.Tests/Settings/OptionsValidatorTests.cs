using Microsoft.Extensions.Options;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Settings;

namespace Rampart.Fleet.Tests.Settings;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void The_defaults_of_every_options_class_are_valid()
    {
        Assert.True(new AuditOptionsValidator().Validate(null, new AuditOptions()).Succeeded);
        Assert.True(new SetupTokenOptionsValidator().Validate(null, new SetupTokenOptions()).Succeeded);
        Assert.True(new OperatorOptionsValidator().Validate(null, new OperatorOptions()).Succeeded);
        Assert.True(new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions()).Succeeded);
        Assert.True(new ApprovalOptionsValidator().Validate(null, new ApprovalOptions()).Succeeded);
    }

    public static TheoryData<string, Func<ValidateOptionsResult>> BadValues() => new()
    {
        { "Rampart:Audit:CheckpointInterval must be 1 to 1000000 (it is 0)", () => new AuditOptionsValidator().Validate(null, new AuditOptions { CheckpointInterval = 0 }) },
        { "Rampart:Audit:MaxBatchSize must be 1 to 65536 (it is 0)", () => new AuditOptionsValidator().Validate(null, new AuditOptions { MaxBatchSize = 0 }) },
        { "Rampart:Audit:MaxBatchSize must be 1 to 65536 (it is -5)", () => new AuditOptionsValidator().Validate(null, new AuditOptions { MaxBatchSize = -5 }) },
        { "Rampart:Audit:QueueCapacity must be 1 to 10000000 (it is 0)", () => new AuditOptionsValidator().Validate(null, new AuditOptions { QueueCapacity = 0 }) },
        { "Rampart:SetupToken:Lifetime must be above 0 and at most 30.00:00:00 (it is 00:00:00)", () => new SetupTokenOptionsValidator().Validate(null, new SetupTokenOptions { Lifetime = TimeSpan.Zero }) },
        { "Rampart:Operators:InvitationLifetime must be above 0", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { InvitationLifetime = TimeSpan.FromHours(-1) }) },
        { "Rampart:Operators:LockoutThreshold must be 1 to 1000 (it is 0)", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { LockoutThreshold = 0 }) },
        { "Rampart:Operators:LockoutDuration must be above 0", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { LockoutDuration = TimeSpan.Zero }) },
        { "Rampart:Operators:SessionLifetime must be above 0 and at most 30.00:00:00 (it is 365.00:00:00)", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { SessionLifetime = TimeSpan.FromDays(365) }) },
        { "Rampart:Operators:MaximumTokenLifetime must be above 0", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { MaximumTokenLifetime = TimeSpan.Zero }) },
        { "Rampart:Operators:PasswordMemoryKiB must be 19456 to 1048576 (it is 16384)", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { PasswordMemoryKiB = 16384 }) },
        { "Rampart:Operators:PasswordPasses must be 2 to 20 (it is 1)", () => new OperatorOptionsValidator().Validate(null, new OperatorOptions { PasswordPasses = 1 }) },
        { "Rampart:Enrollment:DeviceCertificateValidity must be above 0", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { DeviceCertificateValidity = TimeSpan.Zero }) },
        { "Rampart:Enrollment:ServiceCertificateValidity must be above 0", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { ServiceCertificateValidity = TimeSpan.FromDays(-1) }) },
        { "Rampart:Enrollment:BootstrapTokenLifetime must be above 0", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { BootstrapTokenLifetime = TimeSpan.Zero }) },
        { "Rampart:Enrollment:RenewalWindowFraction must be above 0 and at most 1 (it is 0)", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { RenewalWindowFraction = 0 }) },
        { "Rampart:Enrollment:RenewalWindowFraction must be above 0 and at most 1 (it is NaN)", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { RenewalWindowFraction = double.NaN }) },
        { "Rampart:Enrollment:FreeAuthenticationFailures must be 0 to 1000 (it is -1)", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { FreeAuthenticationFailures = -1 }) },
        { "Rampart:Enrollment:BackoffBase must be above 0", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { BackoffBase = TimeSpan.Zero }) },
        { "Rampart:Enrollment:BackoffMaximum must not be shorter than BackoffBase", () => new EnrollmentOptionsValidator().Validate(null, new EnrollmentOptions { BackoffBase = TimeSpan.FromMinutes(30), BackoffMaximum = TimeSpan.FromMinutes(1) }) },
        { "Rampart:Approvals:Deadline must be above 0", () => new ApprovalOptionsValidator().Validate(null, new ApprovalOptions { Deadline = TimeSpan.Zero }) },
        { "Rampart:Approvals:BulkRevocationThreshold must be 0 to 10000 (it is -1)", () => new ApprovalOptionsValidator().Validate(null, new ApprovalOptions { BulkRevocationThreshold = -1 }) },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_fails_with_a_message_naming_its_setting(string expected, Func<ValidateOptionsResult> validate)
    {
        var result = validate();

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_of_one_section_is_reported_not_only_the_first()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { CheckpointInterval = 0, MaxBatchSize = 0, QueueCapacity = 0 });

        Assert.Equal(3, result.Failures!.Count());
    }
}
