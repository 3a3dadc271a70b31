using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Device.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Server.Tests.Gateway;

namespace Rampart.Server.Tests.Keys;

/// <summary>The node and devices of the issuing CA rollover tests.</summary>
internal static class RolloverNodes
{
    /// <summary>A node on <paramref name="data"/> with the ingest service, on <paramref name="clock"/>.</summary>
    public static Task<TestNode> StartAsync(string data, TimeProvider clock) =>
        TestNode.StartAsync(data, new Dictionary<string, string?>(GatewayNode.IngestService), clock);

    /// <summary>A copy that outlives the node's own certificate objects.</summary>
    public static X509Certificate2 Copy(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

    /// <summary>Adds <paramref name="id"/> and enrolls it over EST with its bootstrap token.</summary>
    public static async Task<X509Certificate2> EnrollAsync(TestNode node, X509Certificate2 root, string id)
    {
        var (_, bootstrap) = await node.Node.Services.GetRequiredService<InventoryService>().AddAsync(new NewDevice(id), "test", CancellationToken.None);
        return await new EstClient(node.Node.HttpsUri, root).EnrollAsync(id, bootstrap.Token, CancellationToken.None);
    }
}
