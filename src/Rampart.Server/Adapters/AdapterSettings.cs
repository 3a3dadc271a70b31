using Microsoft.Extensions.Configuration;
using Rampart.Adapters.FrontDoors;
using Rampart.Server.Hosting;

namespace Rampart.Server.Adapters;

/// <summary>
/// The front doors' settings: <c>Rampart:Adapters</c> and the CoAP listener <c>Rampart:Coap</c>
/// (<c>--coap</c>, default <see cref="DefaultCoap"/>), checked before anything binds.
/// </summary>
public sealed record AdapterSettings(AdapterOptions Options, EndpointAddress Coap, bool CoapExplicit)
{
    /// <summary>The CoAP-over-DTLS listener when none is set (RFC 7252 §12.7: 5684 is coaps).</summary>
    public const string DefaultCoap = "127.0.0.1:5684";

    public static AdapterSettings From(IConfiguration configuration)
    {
        var options = new AdapterOptions();
        try
        {
            configuration.GetSection(AdapterOptions.Section).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new NodeStartupException($"invalid adapter settings: {exception.Message}", exception);
        }

        var problems = options.Problems().ToList();
        var configured = configuration[$"{NodeOptions.Section}:Coap"];
        if (!EndpointAddress.TryParse(configured ?? DefaultCoap, out var coap, out var reason))
        {
            problems.Add($"--coap: {reason}");
        }

        return problems.Count > 0
            ? throw new NodeStartupException("invalid settings:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
            : new AdapterSettings(options, coap!, configured is not null);
    }
}
