using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Mqtt.Protocol;
using Rampart.Mqtt.Topics;
using Rampart.Server.Admin;
using Rampart.Server.Auth;
using Rampart.Server.Gateway;

namespace Rampart.Server.Api;

/// <summary>Commands to a device over MQTT, and its live traffic counters.</summary>
public static class DeviceMessagingEndpoints
{
    /// <summary>Largest command payload accepted.</summary>
    public const int MaxCommandPayloadBytes = 64 * 1024;

    /// <summary>Maps <c>/devices/{id}/commands</c> and <c>/devices/{id}/traffic</c>.</summary>
    public static RouteGroupBuilder MapDeviceMessagingEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/devices/{id}/commands", async (
            string id, DeviceCommandRequest body, HttpContext context, InventoryService inventory, MqttGateway gateway, IAuditLog audit,
            CancellationToken cancellationToken) =>
        {
            var device = await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            if (device.State is not (DeviceState.Active or DeviceState.Quarantined or DeviceState.Registered))
            {
                throw new FleetException(FleetErrorKind.Conflict, $"device {id} is {device.State.ToString().ToLowerInvariant()}");
            }

            var topic = CommandTopic(id, body.TopicSuffix);
            var payload = Encoding.UTF8.GetBytes(body.Payload ?? string.Empty);
            if (payload.Length > MaxCommandPayloadBytes)
            {
                throw new FleetException(FleetErrorKind.Invalid, $"the payload is {payload.Length} bytes; at most {MaxCommandPayloadBytes} are allowed");
            }

            var qos = body.Qos switch
            {
                null or 1 => MqttQualityOfService.AtLeastOnce,
                0 => MqttQualityOfService.AtMostOnce,
                2 => MqttQualityOfService.ExactlyOnce,
                _ => throw new FleetException(FleetErrorKind.Invalid, "qos must be 0, 1 or 2"),
            };

            // The payload may be sensitive: the audit log keeps its digest and size, not its content.
            var details = AdminActor.Details(context.User);
            details["topic"] = topic;
            details["bytes"] = payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            details["sha256"] = Convert.ToHexStringLower(SHA256.HashData(payload));
            await audit.AppendAsync(new AuditRecord(AdminActor.Of(context.User), "device.command", $"device:{id}", AuditOutcome.Success, details), cancellationToken);

            var connected = gateway.Broker.IsConnected(id);
            gateway.Broker.Publish(topic, payload, qos, retain: false);
            return TypedResults.Accepted((string?)null, new DeviceCommandResponse(topic, payload.Length, (int)qos, connected));
        }).RequirePermission(Permissions.DevicesWrite);

        api.MapGet("/devices/{id}/traffic", async (string id, HttpContext context, InventoryService inventory, MqttGateway gateway, CancellationToken cancellationToken) =>
        {
            await DeviceEndpoints.VisibleAsync(id, context, inventory, cancellationToken);
            var traffic = gateway.Traffic.Find("device:" + id);
            return TypedResults.Ok(new DeviceTrafficResponse(
                id, gateway.Broker.IsConnected(id), traffic?.MessagesIn ?? 0, traffic?.BytesIn ?? 0, traffic?.MessagesOut ?? 0, traffic?.BytesOut ?? 0,
                traffic?.AuthorizationFailures ?? 0, traffic?.LimitHits ?? 0, traffic?.Dropped ?? 0, traffic?.ConnectionAttempts ?? 0,
                traffic?.Disconnects ?? 0, traffic?.Sources ?? []));
        }).RequirePermission(Permissions.DevicesRead);

        return api;
    }

    /// <summary>
    /// <c>devices/{id}/commands/{suffix}</c>: the suffix is one or more plain levels — no wildcard, no
    /// empty level, no <c>$</c> start — so a command can reach only the device it names.
    /// </summary>
    public static string CommandTopic(string deviceId, string? suffix)
    {
        if (string.IsNullOrEmpty(suffix) || suffix.Length > 128)
        {
            throw new FleetException(FleetErrorKind.Invalid, "topicSuffix is required (1 to 128 characters)");
        }

        if (suffix.Split('/').Any(level => level.Length == 0 || level.Contains('+', StringComparison.Ordinal) || level.Contains('#', StringComparison.Ordinal))
            || suffix.StartsWith('$') || suffix.Contains('\0', StringComparison.Ordinal))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"topicSuffix '{Echo.Of(suffix)}' must be plain topic levels: no wildcards, no empty levels");
        }

        var topic = $"devices/{deviceId}/commands/{suffix}";
        return MqttTopics.IsValidTopicName(topic) ? topic : throw new FleetException(FleetErrorKind.Invalid, $"'{Echo.Of(topic)}' is not a valid topic name");
    }
}

/// <summary>A command for a device.</summary>
public sealed record DeviceCommandRequest(string? TopicSuffix, string? Payload, int? Qos);

/// <summary>Where a command went; <c>Connected</c> false means it waits in the device's session, if it has one.</summary>
public sealed record DeviceCommandResponse(string Topic, int Bytes, int Qos, bool Connected);

/// <summary>A device's MQTT traffic since the node started.</summary>
public sealed record DeviceTrafficResponse(
    string DeviceId, bool Connected, long MessagesIn, long BytesIn, long MessagesOut, long BytesOut, long AuthorizationFailures, long LimitHits,
    long Dropped, long ConnectionAttempts, long Disconnects, IReadOnlyCollection<string> Sources);
