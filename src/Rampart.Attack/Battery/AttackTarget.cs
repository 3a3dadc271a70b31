using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Rampart.Attack.Battery;

/// <summary>The node under attack: its HTTPS and MQTT listeners and the root its certificates chain to.</summary>
public sealed record AttackTarget(Uri Https, IPEndPoint Mqtt, X509Certificate2 TrustedRoot)
{
    /// <summary>The HTTPS listener's endpoint (for TLS-level probes).</summary>
    public async Task<IPEndPoint> HttpsEndPointAsync(CancellationToken cancellationToken) =>
        new((await TargetGuard.ResolveAsync(Https.Host, cancellationToken))[0], Https.Port);
}
