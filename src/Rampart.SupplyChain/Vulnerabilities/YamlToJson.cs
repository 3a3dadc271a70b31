using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rampart.SupplyChain.Vulnerabilities;

/// <summary>
/// An OSV record in YAML (OSS-Fuzz publishes YAML) as the same JSON tree the JSON reader sees.
/// Scalars stay strings (the readers read numbers from either). Aliases are expanded, so the node
/// count is bounded: a "billion laughs" document is refused, not expanded.
/// </summary>
internal static class YamlToJson
{
    public const int MaxNodes = 200_000;

    public static JsonNode? Convert(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count != 1)
        {
            throw new FormatException("one YAML document per file");
        }

        var budget = MaxNodes;
        return Node(stream.Documents[0].RootNode, ref budget, 0);
    }

    private static JsonNode? Node(YamlNode node, ref int budget, int depth)
    {
        if (--budget < 0 || depth > 64)
        {
            throw new FormatException($"more than {MaxNodes} nodes or deeper than 64 levels");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var json = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    json[(key as YamlScalarNode)?.Value ?? throw new FormatException("a mapping key is not a scalar")] = Node(value, ref budget, depth + 1);
                }

                return json;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Node(item, ref budget, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return scalar.Value is null || (scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "") ? null : JsonValue.Create(scalar.Value);
            default:
                throw new FormatException("unsupported YAML node");
        }
    }
}
