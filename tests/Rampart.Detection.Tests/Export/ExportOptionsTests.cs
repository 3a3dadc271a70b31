using Rampart.Detection.Export;

namespace Rampart.Detection.Tests.Export;

public sealed class ExportOptionsTests
{
    private const string Secret = "a-webhook-key-that-is-long-enough-0123456789";

    private static IReadOnlyList<string> Problems(ExportOptions options) =>
        new ExportOptionsValidator().Validate(null, options).Failures?.ToArray() ?? [];

    [Fact]
    public void A_plain_http_webhook_is_refused_even_on_loopback()
    {
        var options = new ExportOptions { Webhooks = { ["siem"] = new WebhookDestinationOptions { Url = "http://127.0.0.1:8080/hook", Secret = Secret } } };

        Assert.Contains(Problems(options), p => p.StartsWith("Rampart:Export:Webhooks:siem:Url must be an absolute https://", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_webhook_key_is_refused_without_showing_it()
    {
        var options = new ExportOptions { Webhooks = { ["siem"] = new WebhookDestinationOptions { Url = "https://siem.example/hook", Secret = "short-secret-value" } } };

        var problem = Assert.Single(Problems(options));
        Assert.StartsWith("Rampart:Export:Webhooks:siem:Secret must be 32 to 1024 characters", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret-value", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret-value", options.Webhooks["siem"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_syslog_collector_without_a_ca_or_with_a_half_client_certificate_is_refused()
    {
        var options = new ExportOptions { Syslog = { ["Bad Name"] = new SyslogDestinationOptions { Host = "collector", CaFile = "/nonexistent/ca.pem", ClientCertificateFile = "/tmp/x.pem" } } };

        var problems = Problems(options);

        Assert.Contains(problems, p => p.StartsWith("Rampart:Export:Syslog:Bad Name must be named", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Rampart:Export:Syslog:Bad Name:CaFile must name a readable PEM file", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Rampart:Export:Syslog:Bad Name:ClientKeyFile and ClientCertificateFile go together", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_with_no_destination_are_valid()
    {
        Assert.Empty(Problems(new ExportOptions()));
    }
}
