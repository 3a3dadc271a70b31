using System.Text;
using Rampart.Detection.Export;

namespace Rampart.Detection.Tests.Export;

public sealed class SyslogMessageTests
{
    private static readonly DateTimeOffset Time = new(2026, 12, 1, 10, 30, 15, 123, TimeSpan.Zero);

    private static ExportRecord Alert(IReadOnlyDictionary<string, string> details) => new()
    {
        Id = "event-42",
        Type = ExportRecord.SecurityEventType,
        Time = Time,
        Kind = "alert.opened",
        Severity = "high",
        DeviceId = "sensor-7",
        Source = "192.0.2.10",
        Details = details,
    };

    [Fact]
    public void An_event_parses_back_per_rfc_5424_with_its_fields_in_structured_data()
    {
        var format = new SyslogMessage(new SyslogDestinationOptions(), "node-1", 4242);

        var parsed = Rfc5424Parser.Parse(format.Format(Alert(new Dictionary<string, string> { ["detector"] = "new-listening-port", ["port"] = "23" })));

        Assert.Equal((10, 2, 1), (parsed.Facility, parsed.Severity, parsed.Version));
        Assert.Equal(Time, parsed.Timestamp);
        Assert.Equal(("node-1", "rampart", "4242", "alert.opened"), (parsed.Hostname, parsed.AppName, parsed.ProcId, parsed.MsgId));
        var fields = parsed.StructuredData["rampart@32473"];
        Assert.Equal("event-42", fields["id"]);
        Assert.Equal("sensor-7", fields["device"]);
        Assert.Equal("192.0.2.10", fields["source"]);
        Assert.Equal("high", fields["severity"]);
        Assert.Equal("23", parsed.StructuredData["details@32473"]["port"]);
        Assert.Equal("alert.opened device=sensor-7", parsed.Message);
    }

    [Fact]
    public void Quotes_backslashes_and_brackets_in_values_are_escaped_and_bad_names_are_made_valid()
    {
        var format = new SyslogMessage(new SyslogDestinationOptions { EnterpriseNumber = 55555 }, "node-1", 1);
        var hostile = "a \"quoted\" ] back\\slash [x] ünïcode";

        var parsed = Rfc5424Parser.Parse(format.Format(Alert(new Dictionary<string, string> { ["reason"] = hostile, ["bad key=\"x\"]"] = "v" })));

        var details = parsed.StructuredData["details@55555"];
        Assert.Equal(hostile, details["reason"]);
        Assert.Equal("v", details["bad_key__x__"]);
    }

    [Fact]
    public void A_message_over_the_size_limit_leaves_out_the_details_and_says_so()
    {
        var options = new SyslogDestinationOptions { MaxMessageBytes = 480 };
        var format = new SyslogMessage(options, "node-1", 1);

        var bytes = format.Format(Alert(new Dictionary<string, string> { ["evidence"] = new string('x', 2000) }));
        var parsed = Rfc5424Parser.Parse(bytes);

        Assert.True(bytes.Length <= 480, $"{bytes.Length} bytes");
        Assert.Equal("true", parsed.StructuredData["rampart@32473"]["truncated"]);
        Assert.False(parsed.StructuredData.ContainsKey("details@32473"));
    }

    [Fact]
    public void A_checkpoint_carries_what_verifies_it()
    {
        var checkpoint = new Rampart.Fleet.Audit.AuditCheckpoint(3000, Enumerable.Repeat((byte)0xab, 32).ToArray(), Time, "0123456789abcdef0123456789abcdef", [1, 2, 3]);
        var format = new SyslogMessage(new SyslogDestinationOptions(), "node-1", 1);

        var parsed = Rfc5424Parser.Parse(format.Format(ExportRecord.Of(checkpoint)));

        Assert.Equal("audit.checkpoint", parsed.MsgId);
        Assert.Equal("checkpoint-3000", parsed.StructuredData["rampart@32473"]["id"]);
        var details = parsed.StructuredData["details@32473"];
        Assert.Equal("3000", details["seq"]);
        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 32)), details["hash"]);
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), details["signature"]);
        Assert.Equal(Time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), details["timeMs"]);
    }

    [Fact]
    public void The_parser_refuses_an_unescaped_bracket_so_the_escaping_test_can_fail()
    {
        var broken = Encoding.UTF8.GetBytes("<82>1 2026-12-01T10:30:15.123Z h rampart 1 k [rampart@32473 v=\"a]b\"]");

        Assert.Throws<FormatException>(() => Rfc5424Parser.Parse(broken));
    }
}
