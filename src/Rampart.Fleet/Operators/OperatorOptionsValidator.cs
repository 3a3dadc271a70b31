using Microsoft.Extensions.Options;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Fleet.Settings;

namespace Rampart.Fleet.Operators;

/// <summary>Checks <see cref="OperatorOptions"/> at start; weaker password hashing than the default is refused, not silently raised.</summary>
public sealed class OperatorOptionsValidator : IValidateOptions<OperatorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OperatorOptions options) =>
        new SettingChecks(OperatorOptions.Section)
            .Positive(nameof(options.InvitationLifetime), options.InvitationLifetime, TimeSpan.FromDays(30))
            .Between(nameof(options.LockoutThreshold), options.LockoutThreshold, 1, 1000)
            .Positive(nameof(options.LockoutDuration), options.LockoutDuration, TimeSpan.FromDays(7))
            .Positive(nameof(options.SessionLifetime), options.SessionLifetime, TimeSpan.FromDays(30))
            .Positive(nameof(options.MaximumTokenLifetime), options.MaximumTokenLifetime, TimeSpan.FromDays(3650))
            .Between(nameof(options.PasswordMemoryKiB), options.PasswordMemoryKiB, Argon2Parameters.OwaspMinimum.MemoryKiB, Argon2Parameters.MaximumMemoryKiB)
            .Between(nameof(options.PasswordPasses), options.PasswordPasses, Argon2Parameters.OwaspMinimum.Passes, Argon2Parameters.MaximumPasses)
            .Between(nameof(options.PasswordParallelism), options.PasswordParallelism, 1, Argon2Parameters.MaximumParallelism)
            .Between(nameof(options.ConcurrentPasswordHashes), options.ConcurrentPasswordHashes, 0, PasswordHasher.MaximumSlots)
            .Positive(nameof(options.PasswordHashWait), options.PasswordHashWait, TimeSpan.FromSeconds(30))
            .Result();
}
