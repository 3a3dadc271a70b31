using System.Net;
using System.Net.Sockets;
using Rampart.Server.Hosting;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Adapters;

/// <summary>
/// The <c>Coap</c> setting (<c>--coap</c>): a bad address or a taken port set explicitly stops the node
/// with the setting named; the default address taken (a second node on one host) serves no CoAP and warns.
/// Not run in parallel with other tests: nodes started without <c>Coap</c> use the default port too.
/// </summary>
[Collection(nameof(CoapDefaultPort))]
public sealed class CoapSettingTests
{
    [Fact]
    public async Task The_default_port_taken_serves_no_CoAP_and_the_node_warns_naming_the_port_and_the_setting()
    {
        using var temp = new TempDirectory();
        using var holder = HoldDefaultPort();
        using var node = RampartCli.Serve(temp.Sub("data"));
        await RampartCli.WaitUntilReadyAsync(node);
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(RampartCli.Patience));

        Assert.Contains("CoAP over DTLS is not served: the default address udp 127.0.0.1:5684 is taken", node.Output, StringComparison.Ordinal);
        Assert.Contains("set --coap (setting Rampart:Coap)", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_coap_port_in_use_stops_rampart_serve_with_the_port_and_setting_named()
    {
        using var temp = new TempDirectory();
        using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)holder.Client.LocalEndPoint!).Port;
        using var node = RampartCli.Serve(temp.Sub("data"), extra: ["--coap", $"127.0.0.1:{port}"]);

        Assert.NotEqual(0, await node.WaitForExitAsync(RampartCli.Patience));
        Assert.Contains($"cannot listen on udp 127.0.0.1:{port} (--coap, setting Rampart:Coap)", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Rampart node ready", node.Output, StringComparison.Ordinal);
    }

    // Another process on this host may hold it already: that is the condition under test too.
    private static UdpClient? HoldDefaultPort()
    {
        try
        {
            return new UdpClient(new IPEndPoint(IPAddress.Loopback, 5684));
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return null;
        }
    }

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
        Assert.Contains($"cannot listen on udp 127.0.0.1:{port} (--coap, setting Rampart:Coap)", refused.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(CoapDefaultPort), DisableParallelization = true)]
public sealed class CoapDefaultPort;
