using System.CommandLine;
using Rampart.Fleet.Inventory;
using Rampart.Server.Admin;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart service cert NAME --csr FILE</c>: a certificate for a backend consumer.</summary>
internal static class ServiceCommand
{
    public static Command Create()
    {
        var target = new AdminTarget();
        var name = new Argument<string>("NAME") { Description = "Service name: " + DeviceIds.Rule };
        var csr = new Option<FileInfo>("--csr") { Description = "The service's certificate request (PEM)", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Write the certificate here (PEM) instead of standard output" };
        var cert = target.AddTo(new Command("cert", "Issue a service certificate (SAN urn:rampart:service:NAME, clientAuth) from a CSR.") { name, csr, output });
        cert.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var request = parse.GetValue(csr)!;
            if (!request.Exists || request.Length > 64 * 1024)
            {
                throw new AdminCommandException($"{request.FullName} does not exist or is over 64 KiB");
            }

            var issued = await target.SendAsync<ServiceCertificateResponse>(parse, HttpMethod.Post,
                $"api/v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}/certificates", cancellationToken,
                new ServiceCertificateRequest(await File.ReadAllTextAsync(request.FullName, cancellationToken)));
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, issued.CertificatePem + issued.ChainPem, cancellationToken);
                Console.WriteLine($"certificate and CA chain written to {file.FullName}");
            }
            else
            {
                Console.Write(issued.CertificatePem + issued.ChainPem);
            }

            return 0;
        }));
        return new Command("service", "Backend services that consume device data.") { cert };
    }
}
