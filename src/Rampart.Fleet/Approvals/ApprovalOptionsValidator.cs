using Microsoft.Extensions.Options;
using Rampart.Fleet.Settings;

namespace Rampart.Fleet.Approvals;

/// <summary>Checks <see cref="ApprovalOptions"/> at start.</summary>
public sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ApprovalOptions options) =>
        new SettingChecks(ApprovalOptions.Section)
            .Positive(nameof(options.Deadline), options.Deadline, TimeSpan.FromDays(30))

            // 0: every bulk revocation needs a second person; the API takes at most 10,000 devices at once.
            .Between(nameof(options.BulkRevocationThreshold), options.BulkRevocationThreshold, 0, 10_000)
            .Result();
}
