using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rampart.Posture;

/// <summary>The JSON form of posture's records (stores, API, <c>--json</c>): camelCase names, kebab-case enum values.</summary>
public static class PostureJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"empty {typeof(T).Name}");
}
