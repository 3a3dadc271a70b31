using Microsoft.Extensions.Options;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Settings;

namespace Rampart.Server.Metrics;

/// <summary>Who may scrape <c>/metrics</c> besides a bearer token with <c>metrics:read</c> (section <c>Rampart:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Metrics";

    /// <summary>
    /// Services whose Rampart-issued service certificate (<c>rampart service cert NAME</c>), presented as
    /// the TLS client certificate, may scrape. Empty by default: no certificate grants anything until listed.
    /// </summary>
    public List<string> Services { get; set; } = [];
}

/// <summary>Checks <see cref="MetricsOptions"/>: each entry a valid service name.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var checks = new SettingChecks(MetricsOptions.Section);
        for (var i = 0; i < options.Services.Count; i++)
        {
            checks.Require(DeviceIds.IsValid(options.Services[i]), $"Services:{i}", $"must be a service name: {DeviceIds.Rule}");
        }

        return checks.Result();
    }
}
