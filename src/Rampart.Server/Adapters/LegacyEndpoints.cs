using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Adapters.FrontDoors;

namespace Rampart.Server.Adapters;

/// <summary>
/// The legacy adapter (<see cref="FrontDoorNames.Legacy"/>), the only door for devices registered as
/// legacy: HTTPS (server-authenticated TLS; no plaintext), HTTP Basic with the device id and its own
/// secret (RFC 7617), telemetry only, under the legacy template and the tighter legacy limits, every
/// message marked as from a legacy device. Failed logins back off per source address.
/// </summary>
internal static class LegacyEndpoints
{
    public static RouteGroupBuilder MapLegacyTelemetry(this RouteGroupBuilder device, FrontDoorHost host)
    {
        device.MapPost("/legacy/telemetry/{**suffix}", async (string? suffix, HttpContext context, CancellationToken cancellationToken) =>
        {
            var source = DeviceApiEndpoints.Source(context);
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (host.LegacyFailures.RetryAfter(address) is { } wait)
            {
                context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return DeviceRequests.Problem(StatusCodes.Status429TooManyRequests, "too many failed legacy logins from this address; retry later", "login-backoff");
            }

            var (deviceId, secret) = Basic(context.Request.Headers.Authorization.ToString());
            var resolution = await host.Legacy.ResolveAsync(deviceId ?? string.Empty, secret, cancellationToken);
            if (resolution.Identity is not { } identity)
            {
                host.LegacyFailures.RecordFailure(address);
                host.Gateway.Refusals.Record(source, resolution.Refusal!.Code, resolution.Refusal.Message, clientId: deviceId);
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"rampart-legacy\", charset=\"UTF-8\"";
                return DeviceRequests.Refused(resolution.Refusal);
            }

            var (topic, problem) = DeviceTopics.Telemetry(identity.DeviceId, suffix, host.Options.MaxSuffixLength);
            if (topic is null)
            {
                return DeviceRequests.Problem(StatusCodes.Status400BadRequest, problem!, "bad-topic");
            }

            var (body, tooLarge) = await DeviceRequests.ReadBodyAsync(context.Request, host.Options.LegacyMaxPayloadBytes, cancellationToken);
            if (body is null)
            {
                return tooLarge!;
            }

            var (link, refusal) = await host.Links.AcquireAsync(identity, source, recheck => host.Legacy.ResolveAsync(identity.DeviceId, secret, recheck), cancellationToken);
            if (link is null)
            {
                return DeviceRequests.Refused(refusal!);
            }

            using var use = link.Use();
            var verdict = await link.PublishAsync(topic, body, Marks.For(FrontDoorNames.Legacy, legacy: true), context.Request.ContentType, cancellationToken);
            return DeviceRequests.Verdict(verdict, topic);
        });
        return device;
    }

    // RFC 7617 §2: base64 of user-id ":" password, UTF-8.
    private static (string? User, string? Password) Basic(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 512)
        {
            return (null, null);
        }

        Span<byte> decoded = stackalloc byte[384];
        if (!Convert.TryFromBase64String(header["Basic ".Length..].Trim(), decoded, out var written))
        {
            return (null, null);
        }

        var text = Encoding.UTF8.GetString(decoded[..written]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
    }
}
