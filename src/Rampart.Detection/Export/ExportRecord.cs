using System.Text.Json.Serialization;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Monitoring;

namespace Rampart.Detection.Export;

/// <summary>
/// One thing exported, exactly as every destination receives it. <see cref="Id"/> is stable across
/// retries and restarts (<c>event-42</c>, <c>checkpoint-3000</c>): a receiver that keeps the ids it
/// saw drops the duplicates an at-least-once delivery can produce.
/// </summary>
public sealed record ExportRecord
{
    /// <summary>The record type of a security event (alerts included).</summary>
    public const string SecurityEventType = "security-event";

    /// <summary>The record type of a signed audit checkpoint.</summary>
    public const string CheckpointType = "audit-checkpoint";

    /// <summary>Stable id for deduplication.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary><see cref="SecurityEventType"/> or <see cref="CheckpointType"/>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>When it happened (UTC).</summary>
    [JsonPropertyName("time")]
    public required DateTimeOffset Time { get; init; }

    /// <summary>The event kind (<c>alert.opened</c>, <c>enrollment.refused</c>, …) or <c>audit.checkpoint</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary><c>info</c>, <c>warning</c> or <c>high</c>.</summary>
    [JsonPropertyName("severity")]
    public required string Severity { get; init; }

    /// <summary>The device concerned, when known.</summary>
    [JsonPropertyName("deviceId")]
    public string? DeviceId { get; init; }

    /// <summary>The remote address, when the event came over the network.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>The event's details (for a checkpoint: seq, hash, key id, signature).</summary>
    [JsonPropertyName("details")]
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>True when the details were left out to keep the message within the destination's size limit.</summary>
    [JsonPropertyName("truncated")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Truncated { get; init; }

    /// <summary>The record of a stored security event.</summary>
    public static ExportRecord Of(StoredSecurityEvent stored) => new()
    {
        Id = "event-" + stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Type = SecurityEventType,
        Time = stored.Event.Time,
        Kind = stored.Event.Kind,
        Severity = stored.Event.Severity.ToString().ToLowerInvariant(),
        DeviceId = stored.Event.DeviceId,
        Source = stored.Event.Source,
        Details = stored.Event.Details,
    };

    /// <summary>How a checkpoint's record id starts (the outbox bounds checkpoints apart from events by it).</summary>
    public const string CheckpointIdPrefix = "checkpoint-";

    /// <summary>
    /// The record of a signed checkpoint: enough for the collector's copy to prove what the chain
    /// held (verify the signature over <see cref="AuditCheckpoint.SignedBytes"/> with the audit public key).
    /// </summary>
    public static ExportRecord Of(AuditCheckpoint checkpoint) => new()
    {
        Id = CheckpointIdPrefix + checkpoint.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Type = CheckpointType,
        Time = checkpoint.Time,
        Kind = "audit.checkpoint",
        Severity = "info",
        Details = new Dictionary<string, string>
        {
            ["seq"] = checkpoint.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hash"] = Convert.ToHexStringLower(checkpoint.EntryHash),
            ["timeMs"] = checkpoint.Time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["keyId"] = checkpoint.KeyId,
            ["signature"] = Convert.ToBase64String(checkpoint.Signature),
        },
    };
}
