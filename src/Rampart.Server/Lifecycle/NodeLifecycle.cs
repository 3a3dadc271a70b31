using System.Globalization;
using Microsoft.Extensions.Hosting;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Server.Keys;

namespace Rampart.Server.Lifecycle;

/// <summary>
/// Records the node's start and stop in the audit log and, on a new node, issues and shows the
/// one-time setup token. Runs after the listeners are bound, so a node that failed to start never
/// shows a token nor claims to have started.
/// </summary>
public sealed class NodeLifecycle(IAuditLog audit, SetupTokenService setupTokens, NodeKeyring keys, NodeConsole console) : IHostedService
{
    private const string Actor = "node";
    private int _started;

    /// <summary>Called once the listeners are up.</summary>
    public async Task MarkStartedAsync(IReadOnlyDictionary<string, string> listeners, CancellationToken cancellationToken)
    {
        if (keys.Created.Count > 0)
        {
            await audit.AppendAsync(new AuditRecord(Actor, "node.keys-created", string.Empty, AuditOutcome.Success, new Dictionary<string, string>
            {
                ["created"] = string.Join(",", keys.Created),
                ["audit-key-id"] = keys.AuditKey.KeyId,
                ["tls-sha256"] = keys.TlsFingerprint,
                ["ca-root-sha256"] = NodeKeyring.Fingerprint(keys.Authority.Root),
            }), cancellationToken);
        }

        var details = new Dictionary<string, string>(listeners)
        {
            ["version"] = typeof(NodeLifecycle).Assembly.GetName().Version?.ToString() ?? "unknown",
            ["pid"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        };
        await audit.AppendAsync(new AuditRecord(Actor, "node.started", string.Empty, AuditOutcome.Success, details), cancellationToken);
        Interlocked.Exchange(ref _started, 1);

        if (await setupTokens.IssueFirstAsync(cancellationToken) is { } token)
        {
            console.ShowSetupToken(token);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 0) == 1)
        {
            await audit.AppendAsync(new AuditRecord(Actor, "node.stopped", string.Empty, AuditOutcome.Success), CancellationToken.None);
        }
    }
}
