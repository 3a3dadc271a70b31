using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Rampart.Updates.Files;
using Rampart.Updates.Firmware;
using Rampart.Updates.Tuf;

namespace Rampart.Device.Updates;

/// <summary>
/// The firmware keys a device trusts now: those it was provisioned with, moved on by each key rotation
/// its trusted keys signed (<see cref="FirmwareKeyRotation"/>), found as TUF targets. Kept in a file beside
/// the TUF metadata (<c>{"examined": n, "keys": …}</c>, owner-only, written atomically), so a device
/// that rotated keeps its keys after a reboot and never examines a rotation twice.
/// </summary>
public sealed partial class FirmwareKeyPins(string path, FirmwareKeySet provisioned, bool checkMlDsa, ILogger? logger = null)
{
    private const int MaxFileLength = 16 * 1024;
    private readonly ILogger _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The keys trusted now, and the last rotation number examined (0: none).</summary>
    public (FirmwareKeySet Keys, long Examined) Current()
    {
        var bytes = AtomicFile.ReadBounded(path, MaxFileLength);
        if (bytes is null)
        {
            return (provisioned, 0);
        }

        JsonObject? state;
        try
        {
            state = JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            state = null;
        }

        return state?["examined"] is JsonValue examined && examined.TryGetValue<long>(out var count) && count >= 0 && FirmwareKeySet.FromJson(state["keys"]) is { } keys
            ? (keys, count)
            : throw new InvalidDataException($"{path} is not a firmware key state file; restore it or provision the device again");
    }

    /// <summary>
    /// Examines the rotations published after the last one examined (at most <see cref="FirmwareKeyRotation.MaxPerCheck"/>
    /// a check) and returns the keys trusted after them. A rotation of other keys is skipped (the device was
    /// provisioned after it); one that claims these keys but is not signed by them is skipped and logged
    /// (only the TUF targets role could have published it). Each step is stored before the next.
    /// </summary>
    public async Task<FirmwareKeySet> FollowAsync(TufClient tuf, CancellationToken cancellationToken)
    {
        var (keys, examined) = Current();
        for (var i = 0; i < FirmwareKeyRotation.MaxPerCheck; i++)
        {
            var sequence = examined + 1;
            if (await tuf.FindTargetAsync(FirmwareKeyRotation.TargetName(sequence), cancellationToken) is not { } target)
            {
                break;
            }

            if (target.Length > FirmwareKeyRotation.MaxLength)
            {
                RotationRefused(_logger, sequence, $"it is {target.Length} bytes, more than {FirmwareKeyRotation.MaxLength}");
            }
            else
            {
                var (rotation, refusal) = FirmwareKeyRotation.Verify(await tuf.DownloadTargetAsync(target, cancellationToken), sequence, keys, checkMlDsa);
                if (rotation is not null)
                {
                    keys = rotation.To;
                    RotationFollowed(_logger, sequence, rotation.From, keys.Id);
                }
                else if (refusal != FirmwareKeyRotation.NotFromTheseKeys)
                {
                    RotationRefused(_logger, sequence, refusal!);
                }
            }

            examined = sequence;
            Save(keys, examined);
        }

        return keys;
    }

    private void Save(FirmwareKeySet keys, long examined) =>
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(new JsonObject { ["examined"] = examined, ["keys"] = keys.ToJson() }.ToJsonString()));

    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "Firmware key rotation {Sequence} followed: keys {From} hand over to {To}")]
    private static partial void RotationFollowed(ILogger logger, long sequence, string from, string to);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Warning, Message = "Firmware key rotation {Sequence} refused: {Reason}")]
    private static partial void RotationRefused(ILogger logger, long sequence, string reason);
}
