using System.Globalization;
using Microsoft.AspNetCore.Http;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;

namespace Rampart.Server.WebConsole;

/// <summary>
/// Security events as server-sent events (WHATWG HTML §9.2): what <c>rampart events tail</c> polls,
/// pushed. The stream re-reads the operator's account every few seconds and ends when it is disabled
/// or loses the permission, so a long-lived stream never outlives the access that opened it.
/// </summary>
internal static class EventStream
{
    private static readonly TimeSpan _poll = TimeSpan.FromSeconds(1);
    private const int RecheckEveryPolls = 5;

    public static async Task RunAsync(HttpContext context, ISecurityEventStore events, UserService users, TimeProvider time, long after, string? device, string? kind,
        CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var name = OperatorClaims.Identity(context.User).Name;

        // A reconnecting browser continues after the last event it got (Last-Event-ID).
        if (long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var last) && last > after)
        {
            after = last;
        }

        await response.WriteAsync("retry: 3000\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        using var timer = new PeriodicTimer(_poll, time);
        var polls = 0;
        try
        {
            do
            {
                if (++polls % RecheckEveryPolls == 0 && (await users.GetActiveAsync(name, cancellationToken) is not { } user || !OperatorIdentity.Of(user).Has(Permissions.EventsRead)))
                {
                    return;
                }

                foreach (var stored in await events.ListAfterAsync(after, device, MonitoringPages.PageSize, cancellationToken))
                {
                    after = stored.Id;
                    if (MonitoringPages.Matches(stored, kind))
                    {
                        // One data line: JSON never holds a raw newline.
                        await response.WriteAsync($"id: {stored.Id.ToString(CultureInfo.InvariantCulture)}\nevent: security-event\ndata: {MonitoringPages.Json(stored)}\n\n", cancellationToken);
                    }
                }

                await response.Body.FlushAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser left.
        }
    }
}
