using System.Net;
using System.Net.Sockets;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>The <c>Coap</c> setting (<c>--coap</c>): a bad address or a taken port set explicitly stops the node with the setting named.</summary>
public sealed class CoapSettingTests
{
    [Fact]
    public async Task An_address_that_is_not_ADDR_PORT_is_refused_before_the_node_starts()
    {
        using var temp = new TempDirectory();
        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(temp.Sub("data"), new Dictionary<string, string?> { ["Rampart:Coap"] = "example.org:5684" }));
        Assert.Contains("--coap", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_udp_port_in_use_stops_the_node_with_the_reason()
    {
        using var temp = new TempDirectory();
        using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)holder.Client.LocalEndPoint!).Port;
        var refused = await Assert.ThrowsAsync<NodeStartupException>(() => TestNode.StartAsync(temp.Sub("data"), new Dictionary<string, string?> { ["Rampart:Coap"] = $"127.0.0.1:{port}" }));
        Assert.Contains($"cannot listen on udp 127.0.0.1:{port} (--coap)", refused.Message, StringComparison.Ordinal);
    }
}
