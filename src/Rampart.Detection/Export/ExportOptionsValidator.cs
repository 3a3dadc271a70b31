using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Rampart.Fleet.Settings;

namespace Rampart.Detection.Export;

/// <summary>
/// Checks <see cref="ExportOptions"/> at start, each problem naming its setting: a destination that
/// cannot work (no CA, an <c>http://</c> webhook, a short key) refuses the start instead of
/// queueing records that could never leave.
/// </summary>
public sealed partial class ExportOptionsValidator : IValidateOptions<ExportOptions>
{
    /// <summary>Shortest webhook key: 256 bits of a random base64 or hex string.</summary>
    public const int MinimumSecretLength = 32;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExportOptions options)
    {
        var checks = new SettingChecks(ExportOptions.Section);
        var outbox = options.Outbox;
        checks.Between("Outbox:MaxRowsPerDestination", outbox.MaxRowsPerDestination, 1, 100_000_000)
            .Between("Outbox:MaxCheckpointRowsPerDestination", outbox.MaxCheckpointRowsPerDestination, 1, 100_000_000)
            .Positive("Outbox:MaxAge", outbox.MaxAge, TimeSpan.FromDays(365))
            .Between("Outbox:BatchSize", outbox.BatchSize, 1, 10_000)
            .Positive("Outbox:InitialBackoff", outbox.InitialBackoff, TimeSpan.FromHours(1))
            .Positive("Outbox:MaxBackoff", outbox.MaxBackoff, TimeSpan.FromDays(1))
            .Require(outbox.MaxBackoff >= outbox.InitialBackoff, "Outbox:MaxBackoff", "must be at least Outbox:InitialBackoff")
            .Positive("Outbox:PollInterval", outbox.PollInterval, TimeSpan.FromMinutes(10))
            .Positive("Outbox:LeaseDuration", outbox.LeaseDuration, TimeSpan.FromHours(1))
            .Require(outbox.LeaseDuration > outbox.PollInterval, "Outbox:LeaseDuration", "must exceed Outbox:PollInterval (the holder renews once per round)")
            .Positive("Outbox:DropReportInterval", outbox.DropReportInterval, TimeSpan.FromDays(1));

        foreach (var (destination, syslog) in options.Syslog)
        {
            var key = "Syslog:" + destination;
            checks.Require(ValidName().IsMatch(destination), key, "must be named with 1 to 64 lower-case letters, digits and dashes")
                .Require(!string.IsNullOrWhiteSpace(syslog.Host), key + ":Host", "is required")
                .Between(key + ":Port", syslog.Port, 1, 65_535)
                .Require(File.Exists(syslog.CaFile), key + ":CaFile", $"must name a readable PEM file of the collector's CA (\"{syslog.CaFile}\" does not exist)")
                .Require(syslog.ClientCertificateFile is null == syslog.ClientKeyFile is null, key + ":ClientKeyFile", "and ClientCertificateFile go together")
                .Require(syslog.ClientCertificateFile is null || File.Exists(syslog.ClientCertificateFile), key + ":ClientCertificateFile", "does not exist")
                .Require(syslog.ClientKeyFile is null || File.Exists(syslog.ClientKeyFile), key + ":ClientKeyFile", "does not exist")
                .Between(key + ":Facility", syslog.Facility, 0, 23)
                .Between(key + ":EnterpriseNumber", syslog.EnterpriseNumber, 1, int.MaxValue)
                .Require(syslog.Hostname is null || SyslogFields.IsPrintableAscii(syslog.Hostname, 255), key + ":Hostname", "must be 1 to 255 printable ASCII characters")

                // RFC 5424 §6.1: every receiver takes 480 octets; a message always fits the header and the first SD element.
                .Between(key + ":MaxMessageBytes", syslog.MaxMessageBytes, 480, 65_536)
                .Positive(key + ":Timeout", syslog.Timeout, TimeSpan.FromMinutes(5))
                .Positive(key + ":ConfirmAfter", syslog.ConfirmAfter, TimeSpan.FromMinutes(1))
                .Require(syslog.ConfirmAfter < syslog.Timeout, key + ":ConfirmAfter", "must be shorter than Timeout");
        }

        foreach (var (destination, webhook) in options.Webhooks)
        {
            var key = "Webhooks:" + destination;
            var https = Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps && url.UserInfo.Length == 0;
            checks.Require(ValidName().IsMatch(destination), key, "must be named with 1 to 64 lower-case letters, digits and dashes")
                .Require(https, key + ":Url", "must be an absolute https:// address without user information (plain http is refused)")
                .Require(webhook.Secret.Length is >= MinimumSecretLength and <= 1024, key + ":Secret", $"must be {MinimumSecretLength} to 1024 characters (its value is not shown)")
                .Require(webhook.CaFile is null || File.Exists(webhook.CaFile), key + ":CaFile", "does not exist")
                .Positive(key + ":Timeout", webhook.Timeout, TimeSpan.FromMinutes(5))
                .Between(key + ":MaxBodyBytes", webhook.MaxBodyBytes, 1024, 1024 * 1024);
        }

        return checks.Result();
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex ValidName();
}
