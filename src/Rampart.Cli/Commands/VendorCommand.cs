using System.CommandLine;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart vendor trust add NAME CA.pem</c>.</summary>
internal static class VendorCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var name = new Argument<string>("NAME") { Description = "Vendor name, as devices are registered with --vendor" };
        var file = new Argument<FileInfo>("CA.pem") { Description = "The manufacturer CA certificate (PEM)" };
        var add = target.AddTo(new Command("add", "Trust a manufacturer CA for zero-touch enrollment with factory certificates (IDevID).") { name, file });
        add.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists || path.Length > 64 * 1024)
            {
                throw new AdminCommandException($"{path.FullName} does not exist or is over 64 KiB");
            }

            var trust = await target.SendAsync<VendorTrustResponse>(parse, HttpMethod.Post, "api/v1/vendors", cancellationToken,
                new VendorTrustRequest(parse.GetValue(name)!, await File.ReadAllTextAsync(path.FullName, cancellationToken)));
            Console.WriteLine($"vendor {trust.Name} trusted (CA sha256 {trust.Sha256})");
            return 0;
        }));
        return new Command("vendor", "Manufacturers.") { new Command("trust", "Manufacturer CAs.") { add } };
    }
}
