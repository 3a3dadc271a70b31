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
        var data = CommonOptions.Data();
        var device = new Option<string?>("--device") { Description = "Revoke every valid certificate of this device", HelpName = "ID" };
        var serial = new Option<string?>("--serial") { Description = "Revoke this certificate", HelpName = "HEX" };
        var reason = new Option<string?>("--reason") { Description = $"RFC 5280 reason: {string.Join(", ", RevocationReasons.Names)} (default unspecified)" };
        var revoke = new Command("revoke", "Revoke certificates: the CRL is reissued and live sessions end.") { data, device, serial, reason };
        revoke.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if ((parse.GetValue(device) is null) == (parse.GetValue(serial) is null))
            {
                throw new AdminCommandException("name exactly one of --device ID or --serial HEX");
            }

            var result = await AdminCall.SendAsync<RevokeResponse>(parse.GetValue(data), HttpMethod.Post, "api/v1/certificates/revoke", cancellationToken,
                new RevokeRequest(parse.GetValue(serial), parse.GetValue(device), parse.GetValue(reason)));
            Console.WriteLine($"revoked: {string.Join(", ", result.Revoked)}");
            return 0;
        }));
        return new Command("cert", "Certificates issued by Rampart's CA.") { revoke };
    }
}
