using System.Text.Json;
using System.Text.Json.Nodes;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Rollouts;

/// <summary>
/// What a device reports on <c>devices/{id}/state</c> about updates: the firmware it runs (version and
/// security version — what the server's rollback protection compares against) and, during a rollout,
/// its progress. <c>{"update": {"installed": {"version", "svn"}, "rollout", "state", "detail"}}</c>.
/// </summary>
public sealed record UpdateReport(string InstalledVersion, long InstalledSecurityVersion, long? Rollout = null, RolloutDeviceState? State = null, string? Detail = null)
{
    /// <summary>Largest report the server parses.</summary>
    public const int MaxBytes = 4096;

    /// <summary>Longest detail kept.</summary>
    public const int MaxDetailLength = 256;

    /// <summary>The state message.</summary>
    public byte[] ToJson()
    {
        var update = new JsonObject { ["installed"] = new JsonObject { ["version"] = InstalledVersion, ["svn"] = InstalledSecurityVersion } };
        if (Rollout is { } rollout && State is { } state)
        {
            update["rollout"] = rollout;
            update["state"] = state.Name();
            if (Detail is not null)
            {
                update["detail"] = Detail.Length > MaxDetailLength ? Detail[..MaxDetailLength] : Detail;
            }
        }

        return System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["update"] = update }.ToJsonString());
    }

    /// <summary>The report in a state message, or null when the message is not an update report (a posture report) or malformed.</summary>
    public static UpdateReport? Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length is 0 or > MaxBytes)
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) is not JsonObject root || root["update"] is not JsonObject update
                || update["installed"] is not JsonObject installed || Json.Text(installed["version"]) is not { } version || version.Length > 64
                || installed["svn"] is not JsonValue svnValue || !svnValue.TryGetValue<long>(out var svn) || svn < 0)
            {
                return null;
            }

            long? rollout = update["rollout"] is JsonValue r && r.TryGetValue<long>(out var id) ? id : null;
            RolloutDeviceState? state = RolloutDeviceStates.TryParse(Json.Text(update["state"]), out var parsed) ? parsed : null;
            var detail = Json.Text(update["detail"]);
            return new UpdateReport(version, svn, state is null ? null : rollout, rollout is null ? null : state,
                detail is { Length: > MaxDetailLength } ? detail[..MaxDetailLength] : detail);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
