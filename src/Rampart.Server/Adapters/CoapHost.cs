using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Adapters.Coap;
using Rampart.Adapters.Dtls;
using Rampart.Adapters.FrontDoors;
using Rampart.Adapters.Identity;
using Rampart.Adapters.Links;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;

namespace Rampart.Server.Adapters;

/// <summary>
/// Runs the CoAP-over-DTLS listener on <c>Coap</c> (<c>--coap</c>) with the node's server certificate.
/// An address set explicitly must bind or the node does not start; the default (127.0.0.1:5684) that
/// another node on this host holds already is logged and skipped, as a second node on one host is
/// how tests and demos run.
/// </summary>
public sealed partial class CoapHost(
    AdapterSettings settings, CoapListenerOptions options, DeviceLinks links, PskDevices psks, CertificateDevices certificates, AdapterGateway gateway,
    NodeKeyring keys, ILoggerFactory loggers, TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly ILogger<CoapHost> _logger = loggers.CreateLogger<CoapHost>();

    /// <summary>The listener, once started (null when the default address was taken).</summary>
    public CoapListener? Listener { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var authority = keys.Authority;
        var credentials = new DtlsIdentityCredentials(keys.TlsCertificate, [X509CertificateLoader.LoadCertificate(authority.Issuing.RawData)], [.. authority.TrustedIssuers, authority.Root]);
        var listener = new CoapListener(options, settings.Options, links, psks, certificates, gateway, credentials, loggers.CreateLogger<CoapListener>(), time);
        try
        {
            listener.Start(settings.Coap.ToIPEndPoint());
            Listener = listener;
        }
        catch (SocketException exception) when (!settings.CoapExplicit)
        {
            await listener.DisposeAsync();
            LogDefaultTaken(_logger, settings.Coap.ToString(), exception.Message);
        }
        catch (SocketException exception)
        {
            await listener.DisposeAsync();
            throw new NodeStartupException($"cannot listen on udp {settings.Coap} (--coap, setting Rampart:Coap): {exception.Message}; choose a free port or stop the process that holds it", exception);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Listener is { } listener)
        {
            Listener = null;
            await listener.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "CoAP over DTLS is not served: the default address udp {Address} is taken ({Reason}); set --coap (setting Rampart:Coap) to serve it on another port")]
    private static partial void LogDefaultTaken(ILogger logger, string address, string reason);
}
