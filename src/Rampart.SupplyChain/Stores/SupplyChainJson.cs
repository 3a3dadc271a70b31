using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rampart.SupplyChain.Stores;

/// <summary>How the normalised model is stored as JSON by every provider (one spelling, so stores and tests agree).</summary>
public static class SupplyChainJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("stored JSON is null");

    /// <summary>The SHA-256 (hex) of a record's stored form: what "changed" means on re-import.</summary>
    public static string Digest(string json) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)));
}
