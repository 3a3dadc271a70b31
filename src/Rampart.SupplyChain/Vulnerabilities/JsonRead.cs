using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>Reading fields of records that were not schema-checked: wrong types read as absent, never throw.</summary>
internal static class JsonRead
{
    public static string? Text(this JsonNode? node, string name) =>
        node is JsonObject json && json[name] is JsonValue value && value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? value.ToString() : null;

    public static IEnumerable<JsonNode> Items(this JsonNode? node, string name) =>
        node is JsonObject json && json[name] is JsonArray array ? array.OfType<JsonNode>() : [];

    public static IEnumerable<string> Strings(this JsonNode? node, string name) =>
        node.Items(name).OfType<JsonValue>().Where(v => v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number).Select(v => v.ToString());

    public static double? Number(this JsonNode? node, string name) =>
        node.Text(name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static DateTimeOffset? Time(this JsonNode? node, string name) =>
        node.Text(name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    public static string? Limit(this string? text, int length) => text is null ? null : text.Length <= length ? text : text[..length];
}
