using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rampart.Posture.Models;

/// <summary>
/// Reads a YAML document (YamlDotNet parses it) into the JSON value the schema judges. Plain scalars
/// are typed by the YAML 1.2 core schema (§10.3.2: null, booleans, integers, floats); quoted ones stay
/// strings. Bounded: at most <see cref="MaxDepth"/> levels and <see cref="MaxNodes"/> nodes, one document,
/// no anchors or aliases (an alias bomb cannot expand).
/// </summary>
internal static partial class YamlToJson
{
    public const int MaxDepth = 16;
    public const int MaxNodes = 10_000;

    public static JsonNode? Convert(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException exception)
        {
            throw new DeviceModelException([$"line {exception.Start.Line}, column {exception.Start.Column}: {exception.Message}"]);
        }

        if (stream.Documents.Count != 1)
        {
            throw new DeviceModelException([$"/: a model file holds exactly one YAML document (found {stream.Documents.Count})"]);
        }

        var nodes = 0;
        return Convert(stream.Documents[0].RootNode, "", 0, ref nodes);
    }

    private static JsonNode? Convert(YamlNode node, string path, int depth, ref int nodes)
    {
        if (++nodes > MaxNodes || depth > MaxDepth)
        {
            throw new DeviceModelException([$"{Path(path)}: deeper than {MaxDepth} levels or more than {MaxNodes} nodes"]);
        }

        if (!node.Anchor.IsEmpty)
        {
            throw new DeviceModelException([$"{Path(path)}: anchors and aliases are not allowed in a model file"]);
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var result = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new DeviceModelException([$"{Path(path)}: keys must be plain strings"]);
                    }

                    if (result.ContainsKey(name))
                    {
                        throw new DeviceModelException([$"{Path(path + "/" + name)}: the key appears twice"]);
                    }

                    result[name] = Convert(value, path + "/" + name, depth + 1, ref nodes);
                }

                return result;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, path + "/" + index++, depth + 1, ref nodes));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new DeviceModelException([$"{Path(path)}: unsupported YAML node"]);
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ when Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) => JsonValue.Create(real),
            _ => JsonValue.Create(text),
        };
    }

    private static string Path(string path) => path.Length == 0 ? "/" : path;

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
