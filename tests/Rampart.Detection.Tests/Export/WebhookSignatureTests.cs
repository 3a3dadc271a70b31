using System.Text;
using Rampart.Detection.Export;

namespace Rampart.Detection.Tests.Export;

public sealed class WebhookSignatureTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-test-key";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"event-1\",\"kind\":\"alert.opened\"}");

    private static string Stamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_signed_body_verifies_within_the_tolerance()
    {
        var signature = WebhookSignature.Sign(Secret, Now.ToUnixTimeSeconds(), Body);

        Assert.StartsWith("v1=", signature, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(Secret, Stamp(Now), signature, Body, Now.AddSeconds(30), Tolerance));
    }

    [Fact]
    public void An_altered_body_a_moved_timestamp_a_replay_or_another_key_is_rejected()
    {
        var signature = WebhookSignature.Sign(Secret, Now.ToUnixTimeSeconds(), Body);
        var altered = Encoding.UTF8.GetBytes("{\"id\":\"event-1\",\"kind\":\"alert.resolved\"}");

        Assert.False(WebhookSignature.Verify(Secret, Stamp(Now), signature, altered, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Stamp(Now.AddSeconds(1)), signature, Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Stamp(Now), signature, Body, Now.AddMinutes(6), Tolerance));
        Assert.False(WebhookSignature.Verify(Secret + "x", Stamp(Now), signature, Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, Stamp(Now), "v1=zz", Body, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(Secret, null, signature, Body, Now, Tolerance));
    }
}
