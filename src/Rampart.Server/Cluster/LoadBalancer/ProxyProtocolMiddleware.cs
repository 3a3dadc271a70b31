using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Rampart.Server.Cluster.LoadBalancer;

/// <summary>
/// Connection middleware in front of everything else on a listener (the gateway's per-source caps,
/// TLS): a connection from a trusted load balancer must start with a PROXY protocol v2 header, whose
/// source address then becomes the connection's remote endpoint — so per-source limits, refusal
/// records, security events and clone detection see the device, not the balancer. TLS stays end to
/// end (the balancer passes the handshake through untouched, mTLS included). A trusted peer that
/// sends no valid header within <see cref="ProxyProtocolSettings.HeaderTimeout"/> is closed and logged.
/// </summary>
public sealed partial class ProxyProtocolMiddleware(ConnectionDelegate next, ProxyProtocolSettings settings, ILogger<ProxyProtocolMiddleware> logger)
{
    /// <summary>Handles one connection.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (connection.RemoteEndPoint is not IPEndPoint peer || !settings.IsTrusted(peer.Address))
        {
            await next(connection);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(ProxyProtocolSettings.HeaderTimeout);
        IPEndPoint? source;
        try
        {
            (var ok, source, var error) = await ReadHeaderAsync(connection.Transport.Input, timeout.Token);
            if (!ok)
            {
                LogRefused(logger, peer.ToString(), error ?? "the connection closed before its PROXY protocol header was complete");
                connection.Abort();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            LogRefused(logger, peer.ToString(), $"no complete PROXY protocol header within {ProxyProtocolSettings.HeaderTimeout.TotalSeconds:0} s");
            connection.Abort();
            return;
        }

        if (source is not null)
        {
            connection.RemoteEndPoint = source;
        }

        await next(connection);
    }

    private static async Task<(bool Ok, IPEndPoint? Source, string? Error)> ReadHeaderAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var status = ProxyProtocolHeader.TryRead(buffer, out var source, out var consumed, out var error);
            switch (status)
            {
                case ProxyHeaderStatus.Complete:
                    // Only the header is consumed: the client's first bytes (its TLS ClientHello) stay in the pipe.
                    input.AdvanceTo(consumed);
                    return (true, source, null);
                case ProxyHeaderStatus.Invalid:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return (false, null, error);
                default:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        return (false, null, null);
                    }

                    break;
            }
        }
    }

    [LoggerMessage(EventId = 6210, Level = LogLevel.Warning, Message = "connection from trusted proxy {Peer} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);
}
