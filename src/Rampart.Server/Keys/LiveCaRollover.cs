using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Errors;
using Rampart.Pki.Keys;
using Rampart.Server.Cluster;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;

namespace Rampart.Server.Keys;

/// <summary>
/// Issuing CA rollover on a running node (<c>rampart ca rollover</c> while the node runs, or
/// <c>POST /api/v1/ca/rollover</c>): the same three steps as on a stopped node (<see cref="CaRollover"/>,
/// with the same crash rule: the audit entry decides), then the running authority switches to the new
/// CA — new certificates and the CRL are signed by it at once, the old one's certificates stay trusted
/// for the overlap and may renew onto the new one at once — and a CRL signed by the new CA is
/// published. No connection is dropped: sessions of the old CA's certificates go on, and devices move
/// as they renew. The node's own TLS certificate, issued by the old CA, is served until the next start
/// (clients pin the root, and the old issuing CA's certificate stays valid).
/// </summary>
/// <remarks>
/// Refused on a cluster: each node holds its own copy of the CA key files, so one node switching alone
/// would leave the others issuing from the old CA and refusing the new one's certificates. There, stop
/// the nodes, roll over one and copy its CA files to the others (docs/keys.md).
/// </remarks>
public sealed partial class LiveCaRollover(
    NodeDataDirectory directory, NodeKeyring keys, IAuditStore audit, IAuditLog log, CrlPublisher crls, TimeProvider time,
    IServiceProvider services, ILogger<LiveCaRollover> logger)
{
    private readonly SemaphoreSlim _rolling = new(1, 1);

    /// <summary>Rolls over, audited as <paramref name="actor"/>; a refusal is a <see cref="FleetException"/> (conflict) with the reason.</summary>
    public async Task<CaRollover.Result> RolloverAsync(string actor, TimeSpan overlap, CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterSettings>() is not null)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                "this node is one of a cluster: every node holds a copy of the CA files, so a rollover is made on a stopped cluster (stop the nodes, run 'rampart ca rollover --data DIR' on one, copy its CA files to the others; docs/keys.md)");
        }

        // A token's key objects are found by label at each signature, and the rollover renames them: the running
        // node's old key would then sign as the new one. Until the switch reopens keys by their new labels, a
        // token-held CA rolls over on the stopped node.
        if (keys.KeyProvider is Rampart.Pki.Keys.Pkcs11.Pkcs11KeyProvider)
        {
            throw new FleetException(FleetErrorKind.Conflict,
                "the CA keys are in a PKCS#11 token: roll over on the stopped node ('rampart ca rollover --data DIR' with the node stopped; docs/keys.md)");
        }

        if (overlap <= TimeSpan.Zero || overlap > TimeSpan.FromDays(3650))
        {
            throw new FleetException(FleetErrorKind.Invalid, "the overlap must be between 1 and 3650 days");
        }

        await _rolling.WaitAsync(cancellationToken);
        try
        {
            // A rollover prepared by an earlier request whose commit failed must not be promoted by this one's
            // step 1: decided against the log first, as at a start (uncommitted: its files and key are discarded).
            await CaRollover.ResolvePendingAsync(directory, audit, cancellationToken);
            CaRollover.Result result;
            try
            {
                result = await CaRollover.RolloverAsync(directory, keys.KeyProvider, audit, log, actor, time, overlap, cancellationToken);
            }
            catch (NodeStartupException refused)
            {
                throw new FleetException(FleetErrorKind.Conflict, refused.Message);
            }

            // In force on disk and in the log: switch the running authority (a crash before this line
            // leaves the files and the entry, and the next start loads the new CA, as after an offline rollover).
            var issuing = KeyFiles.LoadCertificate(directory.IssuingCertificatePath);
            System.Security.Cryptography.ECDsa? key = null;
            try
            {
                key = keys.KeyProvider.Open(KeyNames.IssuingCa);
                keys.Authority.RollOver(issuing, key, result.PreviousTrustedUntil, time.GetUtcNow());
            }
            catch (Exception exception)
            {
                issuing.Dispose();
                key?.Dispose();
                LogSwitchFailed(logger, exception, result.NewSubject);
                throw new FleetException(FleetErrorKind.Conflict,
                    $"the rollover to {result.NewSubject} is committed and in force on disk, but the running node could not switch to it ({exception.Message}): restart the node to run on the new CA");
            }

            LogRolledOver(logger, result.NewSubject, result.NewSha256, result.PreviousSubject, result.PreviousTrustedUntil);

            // RFC 5280 §5: the CRL at /pki/crl is signed by the CA that now issues; /pki/crl/previous mirrors it for the old one.
            // Not the caller's token, and not its failure: the rollover stands either way, and CrlRefresher retries.
            try
            {
                await crls.PublishAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                LogCrlFailed(logger, exception);
            }

            return result;
        }
        finally
        {
            _rolling.Release();
        }
    }

    [LoggerMessage(EventId = 2951, Level = LogLevel.Critical, Message = "The issuing CA rollover to {NewSubject} is committed, but the running node could not switch to it; restart the node")]
    private static partial void LogSwitchFailed(ILogger logger, Exception exception, string newSubject);

    [LoggerMessage(EventId = 2952, Level = LogLevel.Error, Message = "Could not publish the new issuing CA's CRL after the rollover; the CRL refresher retries")]
    private static partial void LogCrlFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2950, Level = LogLevel.Warning,
        Message = "Issuing CA rolled over on the running node: {NewSubject} (sha256 {NewSha256}) now signs; {PreviousSubject} stays trusted for its certificates until {TrustedUntil:u}")]
    private static partial void LogRolledOver(ILogger logger, string newSubject, string newSha256, string previousSubject, DateTimeOffset trustedUntil);
}
