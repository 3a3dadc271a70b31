using Microsoft.Extensions.Options;
using Rampart.Fleet.Settings;

namespace Rampart.Fleet.Audit;

/// <summary>Checks <see cref="AuditOptions"/> at start: a zero batch or queue would stall every audited operation.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuditOptions options) =>
        new SettingChecks(AuditOptions.Section)
            .Between(nameof(options.CheckpointInterval), options.CheckpointInterval, 1, 1_000_000)
            .Between(nameof(options.MaxBatchSize), options.MaxBatchSize, 1, 65_536)
            .Between(nameof(options.QueueCapacity), options.QueueCapacity, 1, 10_000_000)
            .Result();
}
