using System.CommandLine;
using Rampart.Fleet.Certificates;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart cert revoke</c>.</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var device = new Option<string?>("--device") { Description = "Revoke every valid certificate of this device", HelpName = "ID" };
        var serial = new Option<string?>("--serial") { Description = "Revoke this certificate", HelpName = "HEX" };
        var reason = new Option<string?>("--reason") { Description = $"RFC 5280 reason: {string.Join(", ", RevocationReasons.Names)} (default unspecified)" };
        var revoke = target.AddTo(new Command("revoke", "Revoke certificates: the CRL is reissued and live sessions end.") { device, serial, reason });
        revoke.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if ((parse.GetValue(device) is null) == (parse.GetValue(serial) is null))
            {
                throw new AdminCommandException("name exactly one of --device ID or --serial HEX");
            }

            var result = await target.SendAsync<RevokeResponse>(parse, HttpMethod.Post, "api/v1/certificates/revoke", cancellationToken,
                new RevokeRequest(parse.GetValue(serial), parse.GetValue(device), parse.GetValue(reason)));
            Console.WriteLine($"revoked: {string.Join(", ", result.Revoked)}");
            return 0;
        }));
        var bulkTarget = new AdminTarget();
        var devices = new Option<string[]>("--device") { Description = "A device whose certificates to revoke (repeatable)", Required = true };
        var bulkReason = new Option<string?>("--reason") { Description = "RFC 5280 reason (default unspecified)" };
        var bulk = bulkTarget.AddTo(new Command("revoke-bulk", "Revoke the certificates of many devices; above the threshold a second person must approve.") { devices, bulkReason });
        bulk.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var result = await bulkTarget.SendAsync<BulkRevokeResponse>(parse, HttpMethod.Post, "api/v1/certificates/revoke-bulk", cancellationToken,
                new BulkRevokeRequest(parse.GetValue(devices)!, parse.GetValue(bulkReason)));
            Console.WriteLine(result.Approval is { } approval
                ? $"needs a second person: approval {approval.Id} pending until {approval.Expires:u} (rampart approvals approve {approval.Id})"
                : $"revoked: {string.Join(", ", result.Revoked ?? [])}");
            return 0;
        }));
        return new Command("cert", "Certificates issued by Rampart's CA.") { revoke, bulk };
    }
}
