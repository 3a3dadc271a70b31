using Microsoft.Extensions.Options;
using Rampart.Fleet.Settings;

namespace Rampart.Server.Updates;

/// <summary>Checks <see cref="RolloutOptions"/> at start: a zero tick would spin the rollout engine.</summary>
public sealed class RolloutOptionsValidator : IValidateOptions<RolloutOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RolloutOptions options) =>
        new SettingChecks(RolloutOptions.Section)
            .Positive(nameof(options.Tick), options.Tick, TimeSpan.FromMinutes(1))
            .Between(nameof(options.ReportQueue), options.ReportQueue, 1, 10_000_000)
            .Result();
}
