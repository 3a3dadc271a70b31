using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Rampart.Server.DataDirectory;

namespace Rampart.Server.Admin;

/// <summary>
/// Marks a connection as the local admin channel once the kernel vouches for the peer: the same
/// user as the node (or root). The socket file is owner-only too; this is the second lock.
/// Captured once per connection, so it cannot change after the check.
/// </summary>
public sealed partial class LocalAdminConnection
{
    /// <summary>The actor name every admin-socket operation is audited under.</summary>
    public const string Actor = "local-admin";

    private LocalAdminConnection(PeerCredentials? peer)
    {
        Peer = peer;
    }

    /// <summary>The peer process, where the platform reports it.</summary>
    public PeerCredentials? Peer { get; }

    /// <summary>Connection middleware for the admin socket listener.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ILogger logger) => next => async connection =>
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var peer = socket is null ? null : PeerCredentials.Of(socket);
        if (OperatingSystem.IsLinux() && (peer is null || (peer.UserId != UnixProcess.EffectiveUserId && peer.UserId != 0)))
        {
            LogRefused(logger, peer?.UserId ?? uint.MaxValue, peer?.ProcessId ?? -1);
            connection.Abort(new ConnectionAbortedException("admin socket peer is not the node's user"));
            return;
        }

        connection.Features.Set(new LocalAdminConnection(peer));
        await next(connection);
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Refused an admin socket connection from uid {UserId} (pid {ProcessId}): not the node's user")]
    private static partial void LogRefused(ILogger logger, uint userId, int processId);
}
