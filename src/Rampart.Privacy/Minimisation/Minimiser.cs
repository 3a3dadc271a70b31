using System.Buffers;
using System.Text;
using System.Text.Json;
using Rampart.Privacy.Keys;

namespace Rampart.Privacy.Minimisation;

/// <summary>
/// Applies one service's rules for one topic family to a JSON object payload in a single streaming
/// pass (GDPR art. 5(1)(c) minimisation, art. 25(1) by design): fields dropped, numbers rounded,
/// timestamps floored to a bucket, identifiers replaced by the service's keyed pseudonym; every
/// other field is copied byte for byte. A payload it cannot minimise (not a JSON object, a rule's
/// field of the wrong type) is not delivered: minimisation fails closed.
/// </summary>
public sealed class Minimiser
{
    /// <summary>Largest payload it reads; larger ones are refused (the broker's own maximum packet size bounds them anyway).</summary>
    public const int MaxPayloadBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly FieldAction[] _actions;

    public Minimiser(MinimisationRuleOptions rule)
    {
        var actions = new List<FieldAction>();
        actions.AddRange(rule.Drop.Select(name => new FieldAction(Encoding.UTF8.GetBytes(name), FieldActionKind.Drop)));
        actions.AddRange(rule.Round.Select(pair => new FieldAction(Encoding.UTF8.GetBytes(pair.Key), FieldActionKind.Round, Decimals: Math.Clamp(pair.Value, 0, 15))));
        actions.AddRange(rule.Bucket.Select(pair => new FieldAction(Encoding.UTF8.GetBytes(pair.Key), FieldActionKind.Bucket, BucketTicks: pair.Value.Ticks)));
        actions.AddRange(rule.Pseudonymise.Select(name => new FieldAction(Encoding.UTF8.GetBytes(name), FieldActionKind.Pseudonymise)));
        _actions = [.. actions];
    }

    /// <summary>How many field rules it applies.</summary>
    public int RuleCount => _actions.Length;

    /// <summary>The minimised payload, or null (with the reason) when it cannot be minimised.</summary>
    public byte[]? Apply(ReadOnlySpan<byte> json, ReadOnlySpan<byte> serviceKey, out string? problem)
    {
        if (json.Length > MaxPayloadBytes)
        {
            problem = $"payload larger than {MaxPayloadBytes} bytes";
            return null;
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        try
        {
            problem = Transform(json, serviceKey, writer);
        }
        catch (JsonException)
        {
            problem = "the payload is not well-formed JSON";
        }
        catch (InvalidOperationException)
        {
            problem = "a field has a type its rule cannot apply to";
        }

        if (problem is not null)
        {
            return null;
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private string? Transform(ReadOnlySpan<byte> json, ReadOnlySpan<byte> serviceKey, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "the payload is not a JSON object";
        }

        writer.WriteStartObject();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                writer.WriteEndObject();
                // Nothing may follow the object (a second value would reach the service unminimised).
                return reader.Read() ? "content after the JSON object" : null;
            }

            var action = Find(ref reader);
            if (action?.Kind == FieldActionKind.Drop)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            if (reader.ValueIsEscaped)
            {
                writer.WritePropertyName(reader.GetString()!);
            }
            else
            {
                writer.WritePropertyName(reader.ValueSpan);
            }

            reader.Read();
            var problem = action is null ? Copy(json, ref reader, writer) : Apply(action, ref reader, serviceKey, writer);
            if (problem is not null)
            {
                return problem;
            }
        }

        return "the JSON object is not closed";
    }

    private FieldAction? Find(ref Utf8JsonReader reader)
    {
        foreach (var action in _actions)
        {
            if (reader.ValueTextEquals(action.Name))
            {
                return action;
            }
        }

        return null;
    }

    private static string? Copy(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        writer.WriteRawValue(json[start..(int)reader.BytesConsumed], skipInputValidation: true);
        return null;
    }

    private static string? Apply(FieldAction action, ref Utf8JsonReader reader, ReadOnlySpan<byte> serviceKey, Utf8JsonWriter writer)
    {
        switch (action.Kind)
        {
            case FieldActionKind.Round when reader.TokenType == JsonTokenType.Number:
                writer.WriteNumberValue(Math.Round(reader.GetDouble(), action.Decimals, MidpointRounding.ToZero));
                return null;
            case FieldActionKind.Bucket when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var epoch):
                // Unix seconds or milliseconds (a value past 10^11 is milliseconds: year 5138 in seconds).
                var unitTicks = Math.Abs(epoch) >= 100_000_000_000 ? TimeSpan.TicksPerMillisecond : TimeSpan.TicksPerSecond;
                var bucket = Math.Max(1, action.BucketTicks / unitTicks);
                writer.WriteNumberValue(epoch - (((epoch % bucket) + bucket) % bucket));
                return null;
            case FieldActionKind.Bucket when reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at):
                var utc = at.UtcTicks;
                writer.WriteStringValue(new DateTimeOffset(utc - (utc % action.BucketTicks), TimeSpan.Zero));
                return null;
            case FieldActionKind.Pseudonymise when reader.TokenType is JsonTokenType.String or JsonTokenType.Number:
                Span<byte> pseudonym = stackalloc byte[32];
                var length = reader.ValueIsEscaped
                    ? Pseudonyms.ForService(serviceKey, Encoding.UTF8.GetBytes(reader.GetString()!), pseudonym)
                    : Pseudonyms.ForService(serviceKey, reader.ValueSpan, pseudonym);
                writer.WriteStringValue(pseudonym[..length]);
                return null;
            default:
                return $"field '{Encoding.UTF8.GetString(action.Name)}' is a {reader.TokenType.ToString().ToLowerInvariant()}, which {action.Kind.ToString().ToLowerInvariant()} cannot apply to";
        }
    }
}
