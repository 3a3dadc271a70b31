using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Rampart.Attack.Probes;
using Rampart.Device.Connection;
using Rampart.Device.Enrollment;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;

namespace Rampart.Attack.Battery;

/// <summary>
/// What one run of the battery shares: the target, the devices and operator it staged (each named
/// <c>attack-RUN-ROLE</c> so they are recognisable in the inventory and the audit log), and clients
/// to reach the node the way an attacker would. <see cref="DisposeAsync"/> removes what was staged.
/// </summary>
public sealed class AttackContext(AttackTarget target, IAttackFleet fleet, TimeProvider time) : IAsyncDisposable
{
    /// <summary>How long an attack waits for the node to show what it did (an event, a disconnect).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Lazy<Task<X509Certificate2>>> _devices = new(StringComparer.Ordinal);
    private readonly List<string> _operators = [];
    private readonly EstClient _est = new(target.Https, target.TrustedRoot);
    private Task<string>? _viewerToken;

    /// <summary>Tells this run's staged identities apart from any other's.</summary>
    public string Run { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public AttackTarget Target { get; } = target;

    public IAttackFleet Fleet { get; } = fleet;

    public TimeProvider Time { get; } = time;

    /// <summary>The device id this run uses for <paramref name="role"/>.</summary>
    public string DeviceId(string role) => $"attack-{Run}-{role}";

    /// <summary>A device of this run, registered and enrolled over EST on first use: its certificate with its key.</summary>
    public Task<X509Certificate2> DeviceAsync(string role, CancellationToken cancellationToken) =>
        _devices.GetOrAdd(role, r => new Lazy<Task<X509Certificate2>>(() => EnrollAsync(DeviceId(r), cancellationToken))).Value;

    /// <summary>Registers a device of this run and returns its bootstrap token (for attacks on enrollment itself).</summary>
    public async Task<string> RegisterAsync(string role, CancellationToken cancellationToken)
    {
        var id = DeviceId(role);
        var token = await Fleet.AddDeviceAsync(id, cancellationToken);
        _devices.TryAdd(role, new Lazy<Task<X509Certificate2>>(() => Task.FromException<X509Certificate2>(new InvalidOperationException($"{id} is enrolled by its attack"))));
        return token;
    }

    /// <summary>The EST client a device would use (trusting only the target's root).</summary>
    public EstClient Est => _est;

    /// <summary>An MQTT connection over TLS, presenting <paramref name="certificate"/> (or none), from <paramref name="localAddress"/> if given.</summary>
    public Task<MqttProbeClient> MqttAsync(X509Certificate2? certificate, MqttProtocolVersion version = MqttProtocolVersion.V500, IPAddress? localAddress = null) =>
        MqttProbeClient.ConnectTlsAsync(Target.Mqtt, certificate, Target.TrustedRoot, version, localAddress);

    /// <summary>
    /// A live MQTT session of this run's <paramref name="role"/> device (enrolled on first use), with
    /// the CONNACK the node sent. A device that cannot connect makes the attack skipped, not held.
    /// </summary>
    public async Task<(MqttProbeClient Client, ConnAckPacket ConnAck)> SessionAsync(string role, CancellationToken cancellationToken)
    {
        var client = await MqttAsync(await DeviceAsync(role, cancellationToken));
        var connack = await client.ConnectAsync(DeviceId(role));
        if (connack.ReasonCode != MqttReasonCode.Success)
        {
            await client.DisposeAsync();
            throw new AttackSkippedException($"the {role} device could not connect ({connack.ReasonCode})");
        }

        return (client, connack);
    }

    /// <summary>An HTTPS client for the node that trusts only its root, presenting <paramref name="certificate"/> if given.</summary>
    public HttpClient Https(X509Certificate2? certificate = null, Version? version = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = RampartTls.ClientOptions(Target.Https.Host, Target.TrustedRoot, certificate) };
        var client = new HttpClient(handler) { BaseAddress = Target.Https, Timeout = Patience };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    /// <summary>
    /// An API token of a viewer (the least role): an operator this run invites, activates with a
    /// random password and logs in. The account is disabled when the run ends.
    /// </summary>
    public Task<string> ViewerTokenAsync(CancellationToken cancellationToken) => _viewerToken ??= CreateViewerAsync(cancellationToken);

    /// <summary>The viewer's user name (exists once <see cref="ViewerTokenAsync"/> ran).</summary>
    public string ViewerName => $"attack-{Run}-viewer";

    /// <summary>The viewer's password, for attacks on login itself.</summary>
    public string ViewerPassword { get; } = "Rt-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>Polls the node's security events for <paramref name="deviceId"/> until one of <paramref name="kinds"/> appears.</summary>
    public async Task<string?> AwaitEventAsync(string deviceId, IReadOnlyCollection<string> kinds, CancellationToken cancellationToken)
    {
        var deadline = Time.GetUtcNow() + Patience;
        while (Time.GetUtcNow() < deadline)
        {
            var seen = await Fleet.EventKindsAsync(deviceId, cancellationToken);
            if (seen.FirstOrDefault(kinds.Contains) is { } kind)
            {
                return kind;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), Time, cancellationToken);
        }

        return null;
    }

    /// <summary>True while the node answers <c>/healthz</c> with 200.</summary>
    public async Task<bool> HealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var http = Https();
            using var response = await http.GetAsync("healthz", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cleanup = new CancellationTokenSource(Patience);
        foreach (var role in _devices.Keys)
        {
            try
            {
                await Fleet.RetireDeviceAsync(DeviceId(role), cleanup.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A device that never got registered (its attack failed first) has nothing to retire.
            }
        }

        foreach (var name in _operators)
        {
            try
            {
                await Fleet.DisableOperatorAsync(name, cleanup.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Reported by the operator attacks themselves.
            }
        }
    }

    private async Task<X509Certificate2> EnrollAsync(string id, CancellationToken cancellationToken)
    {
        var token = await Fleet.AddDeviceAsync(id, cancellationToken);
        return await _est.EnrollAsync(id, token, cancellationToken);
    }

    private async Task<string> CreateViewerAsync(CancellationToken cancellationToken)
    {
        var invitation = await Fleet.InviteOperatorAsync(ViewerName, "viewer", cancellationToken);
        _operators.Add(ViewerName);
        using var http = Https();
        using (var activated = await http.PostAsJsonAsync("api/v1/users/activate", new { token = invitation, password = ViewerPassword }, cancellationToken))
        {
            activated.EnsureSuccessStatusCode();
        }

        using var login = await http.PostAsJsonAsync("api/v1/auth/login", new { user = ViewerName, password = ViewerPassword }, cancellationToken);
        login.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await login.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("token").GetString() ?? throw new InvalidOperationException("the login answer has no token");
    }
}
