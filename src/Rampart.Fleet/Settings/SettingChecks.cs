using System.Globalization;
using Microsoft.Extensions.Options;

namespace Rampart.Fleet.Settings;

/// <summary>
/// Collects what is wrong with one configuration section, each problem naming its full setting
/// (<c>Rampart:Audit:MaxBatchSize must be 1 to 65536 (it is 0)</c>), so a node refuses to start with
/// a message the person who set it can act on instead of misbehaving later (a batch size of 0 spun
/// the audit writer forever).
/// </summary>
public sealed class SettingChecks(string section)
{
    private readonly List<string> _problems = [];

    /// <summary>The problems so far.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>A whole number in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public SettingChecks Between(string name, long value, long minimum, long maximum)
    {
        if (value < minimum || value > maximum)
        {
            Add(name, $"must be {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)} (it is {value.ToString(CultureInfo.InvariantCulture)})");
        }

        return this;
    }

    /// <summary>A fraction in (<paramref name="minimumExclusive"/>, <paramref name="maximum"/>].</summary>
    public SettingChecks Between(string name, double value, double minimumExclusive, double maximum)
    {
        if (!double.IsFinite(value) || value <= minimumExclusive || value > maximum)
        {
            Add(name, $"must be above {minimumExclusive.ToString(CultureInfo.InvariantCulture)} and at most {maximum.ToString(CultureInfo.InvariantCulture)} (it is {value.ToString(CultureInfo.InvariantCulture)})");
        }

        return this;
    }

    /// <summary>A duration above zero and at most <paramref name="maximum"/>.</summary>
    public SettingChecks Positive(string name, TimeSpan value, TimeSpan maximum)
    {
        if (value <= TimeSpan.Zero || value > maximum)
        {
            Add(name, $"must be above 0 and at most {Format(maximum)} (it is {Format(value)})");
        }

        return this;
    }

    /// <summary>A problem that relates two settings; <paramref name="name"/> is the one to change.</summary>
    public SettingChecks Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            Add(name, problem);
        }

        return this;
    }

    /// <summary>The result for <see cref="IValidateOptions{TOptions}"/>.</summary>
    public ValidateOptionsResult Result() => _problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_problems);

    private void Add(string name, string problem) => _problems.Add($"{section}:{name} {problem}");

    // TimeSpan's constant format ("1.00:00:00") is what configuration files hold.
    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
