using System.Text.Json.Nodes;

namespace Rampart.Updates.Tuf;

/// <summary>Reading untrusted metadata without exceptions: a value of the wrong type reads as absent.</summary>
public static class Json
{
    /// <summary>The node's string value, or null when it is absent or not a string.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The member <paramref name="name"/> of an object, or null when the node is absent or not an object (an indexer would throw).</summary>
    public static JsonNode? Field(JsonNode? node, string name) => node is JsonObject obj ? obj[name] : null;
}
