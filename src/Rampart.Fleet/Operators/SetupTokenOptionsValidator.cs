using Microsoft.Extensions.Options;
using Rampart.Fleet.Settings;

namespace Rampart.Fleet.Operators;

/// <summary>Checks <see cref="SetupTokenOptions"/> at start.</summary>
public sealed class SetupTokenOptionsValidator : IValidateOptions<SetupTokenOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SetupTokenOptions options) =>
        new SettingChecks(SetupTokenOptions.Section)
            .Positive(nameof(options.Lifetime), options.Lifetime, TimeSpan.FromDays(30))
            .Result();
}
