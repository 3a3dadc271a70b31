using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Links;
using Rampart.Server.Auth;

namespace Rampart.Server.Adapters;

/// <summary>
/// The HTTPS device API, for devices that speak only HTTP: on the node's HTTPS listener, authenticated
/// by the device certificate in the TLS handshake (mutual TLS; the listener asks for a certificate and
/// the endpoint checks it is one of this CA's live device certificates). Telemetry becomes a PUBLISH
/// to <c>devices/{id}/telemetry/{suffix}</c> and commands come from the device's command subscription,
/// both through the device's broker link, so the gateway's policy rules on them as on MQTT.
/// </summary>
internal static class DeviceApiEndpoints
{
    /// <summary>Default and longest wait of a command long poll (seconds).</summary>
    public const int DefaultWaitSeconds = 30;

    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder endpoints, FrontDoorHost host)
    {
        // Not an operator API: the device certificate is the credential, checked by each endpoint.
        var device = endpoints.MapGroup("/device/v1").AllowPublic().WithMetadata(new Http.BodySizeLimit(host.Options.MaxPayloadBytes));
        device.MapPost("/telemetry/{**suffix}", (string? suffix, HttpContext context, CancellationToken cancellationToken) =>
            TelemetryAsync(host, context, null, suffix, cancellationToken));
        device.MapPost("/devices/{id}/telemetry/{**suffix}", (string id, string? suffix, HttpContext context, CancellationToken cancellationToken) =>
            TelemetryAsync(host, context, id, suffix, cancellationToken));
        device.MapGet("/commands", (int? wait, HttpContext context, CancellationToken cancellationToken) =>
            CommandsAsync(host, context, null, wait, cancellationToken));
        device.MapGet("/devices/{id}/commands", (string id, int? wait, HttpContext context, CancellationToken cancellationToken) =>
            CommandsAsync(host, context, id, wait, cancellationToken));
        device.MapLegacyTelemetry(host);
        return endpoints;
    }

    /// <summary>The remote address (host:port), as events name sources.</summary>
    public static string Source(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? new System.Net.IPEndPoint(address, context.Connection.RemotePort).ToString() : "unknown";

    private static async Task<IResult> TelemetryAsync(FrontDoorHost host, HttpContext context, string? id, string? suffix, CancellationToken cancellationToken)
    {
        var (link, identity, refused) = await AuthenticateAsync(host, context, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        // A device naming another device's id is not answered here: the broker's policy refuses the
        // topic (0x87) and records it as it records an MQTT device's attempt.
        var (topic, problem) = DeviceTopics.Telemetry(id ?? identity!.DeviceId, suffix, host.Options.MaxSuffixLength);
        if (topic is null)
        {
            return DeviceRequests.Problem(StatusCodes.Status400BadRequest, problem!, "bad-topic");
        }

        var (body, tooLarge) = await DeviceRequests.ReadBodyAsync(context.Request, host.Options.MaxPayloadBytes, cancellationToken);
        if (body is null)
        {
            return tooLarge!;
        }

        using var use = link!.Use();
        var verdict = await link.PublishAsync(topic, body, Marks.For(FrontDoorNames.Https, legacy: false), context.Request.ContentType, cancellationToken);
        return DeviceRequests.Verdict(verdict, topic);
    }

    private static async Task<IResult> CommandsAsync(FrontDoorHost host, HttpContext context, string? id, int? wait, CancellationToken cancellationToken)
    {
        var maxWait = (int)host.Options.MaxCommandWait.TotalSeconds;
        if (wait is < 0 || wait > maxWait)
        {
            return DeviceRequests.Problem(StatusCodes.Status400BadRequest, $"wait must be 0 to {maxWait} seconds", "bad-wait");
        }

        var (link, identity, refused) = await AuthenticateAsync(host, context, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (id is not null && id != identity!.DeviceId)
        {
            // The same check and event as an MQTT SUBSCRIBE to another device's commands.
            var admission = link!.Policy.AuthorizeSubscribe(DeviceTopics.Commands(id));
            return DeviceRequests.Problem(StatusCodes.Status403Forbidden, admission.Reason ?? $"device {identity.DeviceId} may not read the commands of {id}", "subscribe-denied");
        }

        using var use = link!.Use();
        var command = await NextCommandAsync(link, TimeSpan.FromSeconds(wait ?? Math.Min(DefaultWaitSeconds, maxWait)), cancellationToken);
        if (command is null)
        {
            return link.IsOpen ? TypedResults.NoContent() : DeviceRequests.Problem(StatusCodes.Status503ServiceUnavailable, link.ClosedReason ?? "the session ended", "session-ended");
        }

        context.Response.Headers["Rampart-Command"] = command.Name;
        context.Response.Headers["Rampart-Topic"] = command.Topic;
        return TypedResults.Bytes(command.Payload.ToArray(), "application/octet-stream");
    }

    private static async Task<DeviceCommand?> NextCommandAsync(BrokerLink link, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (await link.TakeAsync() is { } ready)
        {
            return ready;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            while (await link.Commands.WaitToReadAsync(timeout.Token))
            {
                if (await link.TakeAsync() is { } command)
                {
                    return command;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ended with nothing to deliver: 204.
        }

        return null;
    }

    // The certificate is captured once: the identity, the link and the re-check after the session
    // registered all use this one (Kestrel: it cannot be switched after validation).
    private static async Task<(BrokerLink? Link, FrontDoorIdentity? Identity, IResult? Refused)> AuthenticateAsync(
        FrontDoorHost host, HttpContext context, CancellationToken cancellationToken)
    {
        var source = Source(context);
        X509Certificate2? certificate = await context.Connection.GetClientCertificateAsync(cancellationToken);
        var resolution = await host.Certificates.ResolveAsync(certificate, FrontDoorNames.Https, chainVerified: false, cancellationToken);
        if (resolution.Identity is not { } identity)
        {
            var refusal = resolution.Refusal!;
            host.Gateway.Refusals.Record(source, refusal.Code, refusal.Message, certificate?.SerialNumber);
            return (null, null, DeviceRequests.Refused(refusal));
        }

        var (link, linkRefusal) = await host.Links.AcquireAsync(identity, source,
            recheck => host.Certificates.ResolveAsync(certificate, FrontDoorNames.Https, chainVerified: false, recheck), cancellationToken);
        return link is null ? (null, identity, DeviceRequests.Refused(linkRefusal!)) : (link, identity, null);
    }
}
