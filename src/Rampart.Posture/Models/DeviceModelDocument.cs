using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Rampart.Posture.Models;

/// <summary>
/// Reads a device model file (YAML or JSON) and validates it against the published schema
/// (<c>Models/device-model.schema.json</c>, JSON Schema 2020-12, validated by JsonSchema.Net): every
/// problem is reported at once as <c>/json/pointer: reason</c>; nothing is kept from an invalid file.
/// </summary>
public static class DeviceModelDocument
{
    /// <summary>Largest model file read.</summary>
    public const int MaxBytes = 256 * 1024;


    private static readonly JsonSerializerOptions Json = PostureJson.Options;

    /// <summary>The published schema's text.</summary>
    public static string SchemaText { get; } = ReadSchema();

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(SchemaText!));

    /// <summary>Parses and validates a model file; throws <see cref="DeviceModelException"/> with every problem.</summary>
    public static DeviceModel Parse(ReadOnlySpan<byte> content)
    {
        if (content.Length > MaxBytes)
        {
            throw new DeviceModelException([$"/: the file is larger than {MaxBytes / 1024} KiB"]);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new DeviceModelException(["/: the file is not UTF-8 text"]);
        }

        var node = text.TrimStart().StartsWith('{') ? ParseJson(text) : YamlToJson.Convert(text);
        using var document = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            var problems = (results.Details ?? [])
                .Where(detail => detail.Errors is { Count: > 0 })
                .SelectMany(detail => detail.Errors!.Select(error => $"{Pointer(detail.InstanceLocation.ToString())}: {error.Value}"))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            throw new DeviceModelException(problems.Count > 0 ? problems : ["/: does not match the device model schema"]);
        }

        CheckDates(document.RootElement);
        var model = document.RootElement.Deserialize<DeviceModel>(Json) ?? throw new DeviceModelException(["/: empty document"]);
        return model with { HardwareRevisions = model.HardwareRevisions ?? [] };
    }

    /// <summary>The model as JSON, in the schema's form (what the store keeps).</summary>
    public static string ToJson(DeviceModel model) => JsonSerializer.Serialize(model, Json);

    /// <summary>A model from its stored JSON form.</summary>
    public static DeviceModel FromJson(string json) => JsonSerializer.Deserialize<DeviceModel>(json, Json) ?? throw new JsonException("empty model");

    // What the schema cannot say: a calendar date that exists.
    private static void CheckDates(JsonElement root)
    {
        if (root.GetProperty("capabilities").GetProperty("update").TryGetProperty("supportUntil", out var until)
            && !DateOnly.TryParseExact(until.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new DeviceModelException(["/capabilities/update/supportUntil: not a calendar date (yyyy-MM-dd)"]);
        }
    }

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = YamlToJson.MaxDepth });
        }
        catch (JsonException exception)
        {
            throw new DeviceModelException([$"/: not valid JSON ({exception.Message})"]);
        }
    }

    private static string Pointer(string location) => location.Length == 0 ? "/" : location;

    private static string ReadSchema()
    {
        using var stream = typeof(DeviceModelDocument).Assembly.GetManifestResourceStream("Rampart.Posture.Models.device-model.schema.json")
            ?? throw new InvalidOperationException("the device model schema is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
