using System.Text.Json;
using Rampart.Detection.Detectors;
using Rampart.Detection.Metrics;

namespace Rampart.Detection.Profiles;

/// <summary>
/// The static rules in force: the built-in ones, a file's and the API's, as one immutable snapshot
/// (style.md: swapped whole at run time). <see cref="Parse"/> reads the JSON document operators write:
/// <code>
/// { "rules": [ { "name": "flood", "metric": "limit-hits", "comparison": ">=", "threshold": 10,
///                "windows": 1, "severity": "high", "models": [], "zones": [], "tags": [] } ] }
/// </code>
/// and reports every problem with where it is, never a stack trace.
/// </summary>
public sealed record RuleSet(IReadOnlyList<StaticRule> Rules, int Version)
{
    /// <summary>Largest rules document.</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>Most rules in one document.</summary>
    public const int MaxRules = 256;

    /// <summary>Rules every node starts with: a flood past the limits, and a device that keeps reconnecting.</summary>
    public static IReadOnlyList<StaticRule> BuiltIn { get; } =
    [
        new("flood", BehaviourMetric.LimitHits, RuleComparison.GreaterOrEqual, 10, 1, AlertSeverity.High, [], [], []),
        new("reconnect-storm", BehaviourMetric.ConnectionAttempts, RuleComparison.GreaterOrEqual, 20, 2, AlertSeverity.Medium, [], [], []),
    ];

    public static RuleSet Empty { get; } = new([], 0);

    /// <summary>Parses a rules document; throws <see cref="RuleSetException"/> listing every problem.</summary>
    public static IReadOnlyList<StaticRule> Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxDocumentBytes)
        {
            throw new RuleSetException([$"the rules document is larger than {MaxDocumentBytes / 1024} KiB"]);
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException exception)
        {
            throw new RuleSetException([$"not JSON: {exception.Message}"]);
        }

        using (document)
        {
            var problems = new List<string>();
            var rules = new List<StaticRule>();
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("rules", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new RuleSetException(["the document must be an object with a \"rules\" array"]);
            }

            if (list.GetArrayLength() > MaxRules)
            {
                throw new RuleSetException([$"at most {MaxRules} rules"]);
            }

            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (Rule(item, $"rules[{index++}]", problems) is { } rule)
                {
                    if (rules.Any(r => r.Name == rule.Name) || BuiltIn.Any(r => r.Name == rule.Name))
                    {
                        problems.Add($"rules[{index - 1}].name: '{rule.Name}' is used twice (built-in rules: {string.Join(", ", BuiltIn.Select(r => r.Name))})");
                    }
                    else
                    {
                        rules.Add(rule);
                    }
                }
            }

            return problems.Count > 0 ? throw new RuleSetException(problems) : rules;
        }
    }

    private static StaticRule? Rule(JsonElement item, string at, List<string> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{at}: a rule is an object");
            return null;
        }

        var before = problems.Count;
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name is not ("name" or "metric" or "comparison" or "threshold" or "windows" or "severity" or "models" or "zones" or "tags"))
            {
                problems.Add($"{at}: unknown field '{Shown(property.Name)}'");
            }
        }

        var name = Text(item, "name");
        if (name is null || name.Length is 0 or > 64 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            problems.Add($"{at}.name: required, 1 to 64 of a-z, 0-9 and '-'");
        }

        var metricName = Text(item, "metric");
        if (!BehaviourMetrics.TryParse(metricName ?? "", out var metric))
        {
            problems.Add($"{at}.metric: '{Shown(metricName)}' is not a metric (known: {BehaviourMetrics.Known})");
        }

        var comparisonText = Text(item, "comparison");
        if (!RuleComparisons.TryParse(comparisonText, out var comparison))
        {
            problems.Add($"{at}.comparison: '{Shown(comparisonText)}' is not one of {RuleComparisons.Known}");
        }

        double threshold = 0;
        if (!item.TryGetProperty("threshold", out var thresholdValue) || thresholdValue.ValueKind != JsonValueKind.Number
            || !thresholdValue.TryGetDouble(out threshold) || !double.IsFinite(threshold) || threshold < 0 || threshold > 1e15)
        {
            problems.Add($"{at}.threshold: required, a number from 0 to 1e15");
        }

        var windows = 1;
        if (item.TryGetProperty("windows", out var windowsValue) && (windowsValue.ValueKind != JsonValueKind.Number || !windowsValue.TryGetInt32(out windows) || windows is < 1 or > 60))
        {
            problems.Add($"{at}.windows: a whole number of consecutive windows from 1 to 60");
        }

        var severityText = Text(item, "severity") ?? "medium";
        if (!Enum.TryParse<AlertSeverity>(severityText, ignoreCase: true, out var severity) || !Enum.IsDefined(severity) || severityText.Any(char.IsDigit))
        {
            problems.Add($"{at}.severity: '{Shown(severityText)}' is not one of low, medium, high, critical");
        }

        var models = List(item, "models", at, problems);
        var zones = List(item, "zones", at, problems);
        var tags = List(item, "tags", at, problems);
        return problems.Count > before ? null : new StaticRule(name!, metric, comparison, threshold, windows, severity, models, zones, tags);
    }

    private static string[] List(JsonElement item, string name, string at, List<string> problems)
    {
        if (!item.TryGetProperty(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 32 || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || v.GetString()!.Length is 0 or > 128))
        {
            problems.Add($"{at}.{name}: a list of at most 32 names of 1 to 128 characters");
            return [];
        }

        return value.EnumerateArray().Select(v => v.GetString()!).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Input quoted in an error is cut short and stripped of control characters (an error is not an echo channel).
    private static string Shown(string? text) =>
        text is null ? "(missing)" : new string(text.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (text.Length > 64 ? "…" : "");
}

/// <summary>A rules document was refused; <see cref="Problems"/> says every reason, with where.</summary>
public sealed class RuleSetException(IReadOnlyList<string> problems) : Exception("invalid rules: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
