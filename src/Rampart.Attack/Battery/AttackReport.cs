using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rampart.Attack.Battery;

/// <summary>The battery's report: a line per attack for people, or one JSON document for tools.</summary>
public static class AttackReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>One result as the text report prints it.</summary>
    public static string Line(AttackResult result) =>
        $"{Verdict(result.Verdict),-9} {result.Name,-27} {result.Mapping.Control}{Environment.NewLine}" +
        $"          {result.Mapping.Owasp} · {result.Mapping.Problem}{Environment.NewLine}" +
        $"          evidence: {result.Evidence}";

    /// <summary>The closing summary line.</summary>
    public static string Summary(IReadOnlyList<AttackResult> results) =>
        $"{results.Count(r => r.Verdict == AttackVerdict.Held)} held, {results.Count(r => r.Verdict == AttackVerdict.NotHeld)} not held, " +
        $"{results.Count(r => r.Verdict == AttackVerdict.Skipped)} skipped";

    /// <summary>The whole report as JSON: target, results, summary counts.</summary>
    public static string ToJson(AttackTarget target, IReadOnlyList<AttackResult> results) => JsonSerializer.Serialize(new
    {
        target = new { https = target.Https.ToString(), mqtt = target.Mqtt.ToString() },
        held = results.Count(r => r.Verdict == AttackVerdict.Held),
        notHeld = results.Count(r => r.Verdict == AttackVerdict.NotHeld),
        skipped = results.Count(r => r.Verdict == AttackVerdict.Skipped),
        attacks = results.Select(r => new
        {
            r.Name, r.Description, r.Mapping.Control, r.Mapping.Problem, owasp = r.Mapping.Owasp, r.Verdict, r.Evidence,
            seconds = Math.Round(r.Duration.TotalSeconds, 2),
        }),
    }, Json);

    private static string Verdict(AttackVerdict verdict) => verdict switch
    {
        AttackVerdict.Held => "HELD",
        AttackVerdict.NotHeld => "NOT HELD",
        _ => "SKIPPED",
    };
}
