using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rampart.WebConsole.Audit;
using Rampart.WebConsole.Operators;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Operators;
using Rampart.Server.Auth;
using Rampart.Server.Keys;

namespace Rampart.Server.WebConsole;

/// <summary>Operators, the viewer's API tokens, and the audit log with a chain verification.</summary>
internal static class OperatorPages
{
    /// <summary>Audit entries per page.</summary>
    public const int AuditPageSize = 50;

    public static void MapOperatorPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/operators", async (HttpContext context, UserService users, CancellationToken cancellationToken) =>
            ConsolePages.Render<OperatorsPage>(new
            {
                Viewer = ConsolePages.Viewer(context),
                Users = await users.ListAsync(cancellationToken),
                Invitations = await users.PendingInvitationsAsync(cancellationToken),
            }))
            .OperatorPage(Permissions.UsersRead);

        endpoints.MapGet("/tokens", async (HttpContext context, ApiTokenService tokens, CancellationToken cancellationToken) =>
            ConsolePages.Render<TokensPage>(new
            {
                Viewer = ConsolePages.Viewer(context),
                Tokens = (await tokens.ListAsync(OperatorClaims.Identity(context.User).Name, cancellationToken)).OrderByDescending(t => t.Id).ToArray(),
            })).OperatorPage(null);

        endpoints.MapGet("/audit", async (long? before, string? verify, HttpContext context, IAuditStore audit, NodeKeyring keys, CancellationToken cancellationToken) =>
        {
            // Newest first: the entries below "before" (or the last ones), read forward from where that page starts.
            var last = before is { } b ? b - 1 : (await audit.GetLastEntryAsync(cancellationToken))?.Sequence ?? 0;
            var from = Math.Max(1, last - AuditPageSize + 1);
            var entries = new List<AuditEntry>(AuditPageSize);
            if (last >= 1)
            {
                await foreach (var entry in audit.ReadEntriesAsync(from, cancellationToken))
                {
                    if (entry.Sequence > last)
                    {
                        break;
                    }

                    entries.Add(entry);
                }
            }

            entries.Reverse();
            AuditVerification? verification = null;
            if (verify is not null)
            {
                // The same verification as "rampart audit verify": every entry's hash and every signed checkpoint.
                using var publicKey = keys.AuditKey.ExportPublic();
                verification = await new AuditVerifier(publicKey).VerifyAsync(audit, cancellationToken);
            }

            return ConsolePages.Render<AuditPage>(new
            {
                Viewer = ConsolePages.Viewer(context),
                Entries = entries,
                Verification = verification,
                Before = before,
                Older = from > 1 ? from : (long?)null,
            });
        }).OperatorPage(Permissions.AuditRead);
    }
}
