using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rampart.Fleet.Audit;
using Rampart.Server.Adapters;
using Rampart.Server.Admin;
using Rampart.Server.Audit;
using Rampart.Server.DataDirectory;
using Rampart.Server.Health;
using Rampart.Server.Keys.Hsm;
using Rampart.Server.Http;
using Rampart.Server.Keys;
using Rampart.Server.Lifecycle;
using Rampart.Server.Api;
using Rampart.Server.Auth;
using Rampart.Server.Est;
using Rampart.Server.Export;
using Rampart.Server.Metrics;
using Rampart.Server.Pki;
using Rampart.Storage;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rampart.Server.Tls;
using Rampart.Server.Gateway;
using Rampart.Server.Detection;
using Rampart.Server.Cluster;
using Rampart.Server.WebConsole;
using Rampart.Server.Updates;
using Rampart.Server.Privacy;
using Rampart.Server.Posture;
using Rampart.Server.Network;
using Rampart.Server.SupplyChain;
using System.Net;

namespace Rampart.Server.Hosting;

/// <summary>
/// One running Rampart node: the HTTPS listener, the admin socket and the services behind them,
/// on one data directory that no other node may use at the same time.
/// </summary>
public sealed partial class RampartNode : IAsyncDisposable
{
    /// <summary>Largest request body any endpoint reads; EST and the API set tighter limits of their own.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private readonly WebApplication _app;
    private readonly NodeDataDirectory _directory;
    private readonly NodeKeyring _keys;
    private readonly NodeStores _stores;

    private RampartNode(WebApplication app, NodeDataDirectory directory, NodeKeyring keys, NodeStores stores, Uri httpsUri, IPEndPoint mqttEndPoint)
    {
        _app = app;
        _directory = directory;
        _keys = keys;
        _stores = stores;
        HttpsUri = httpsUri;
        MqttEndPoint = mqttEndPoint;
    }

    /// <summary>The bound HTTPS address (with the real port when 0 was asked for).</summary>
    public Uri HttpsUri { get; }

    /// <summary>The bound MQTT-over-TLS address (with the real port when 0 was asked for).</summary>
    public IPEndPoint MqttEndPoint { get; }

    /// <summary>The admin socket.</summary>
    public string AdminSocketPath => _directory.AdminSocketPath;

    /// <summary>The data directory.</summary>
    public string DataDirectory => _directory.Root;

    /// <summary>SHA-256 of the server certificate, for clients to pin.</summary>
    public string TlsFingerprint => _keys.TlsFingerprint;

    /// <summary>The node's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a node: 1. validate settings, 2. lock and check the data directory, 3. migrate the
    /// database, 4. load or create keys, 5. bind the listeners, 6. record the start (and on a new
    /// node show the setup token). Any failure undoes what was done and throws
    /// <see cref="NodeStartupException"/> with the reason.
    /// </summary>
    public static async Task<RampartNode> StartAsync(IConfiguration configuration, TextWriter console, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var options = ValidatedNodeOptions.From(NodeConfiguration.Bind(configuration));
        var gateway = GatewaySettings.From(configuration);
        var storage = StorageSettings.From(configuration);
        SettingsServiceCollectionExtensions.Check(configuration);
        ClusterServiceCollectionExtensions.Check(configuration);
        SupplyChain.SupplyChainServiceCollectionExtensions.Check(configuration);
        UnixProcess.RestrictNewFilesToOwner();
        var directory = NodeDataDirectory.OpenExclusive(options.DataDirectory);
        NodeKeyring? keys = null;
        NodeStores? stores = null;
        WebApplication? app = null;
        try
        {
            stores = await NodeDatabase.OpenAndMigrateAsync(directory.DatabasePath, storage, cancellationToken);
            await CaRollover.ResolvePendingAsync(directory, stores.Audit, cancellationToken);
            keys = await NodeKeyring.LoadOrCreateAsync(directory, ServerNames.From(options), stores.Certificates, time, cancellationToken);
            var mqttListener = new MqttListener();
            app = Build(configuration, options, gateway, mqttListener, directory, keys, stores, console, time);
            await BindAsync(app, options, cancellationToken);

            var httpsUri = BoundHttpsUri(app);
            var mqttEndPoint = mqttListener.BoundEndPoint;
            File.SetUnixFileMode(directory.AdminSocketPath, OwnerOnlyFile.Mode);
            await app.Services.GetRequiredService<NodeLifecycle>().MarkStartedAsync(
                new Dictionary<string, string> { ["https"] = httpsUri.ToString(), ["mqtt"] = mqttEndPoint.ToString(), ["admin-socket"] = directory.AdminSocketPath },
                cancellationToken);

            var logger = app.Services.GetRequiredService<ILogger<RampartNode>>();
            LogReady(logger, httpsUri, mqttEndPoint, directory.AdminSocketPath, keys.TlsFingerprint, directory.Root, stores.Provider, stores.Target);
            return new RampartNode(app, directory, keys, stores, httpsUri, mqttEndPoint);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            keys?.Dispose();
            if (stores is not null)
            {
                await stores.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the node is asked to stop (SIGTERM, Ctrl-C); dispose the node then to stop it.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStopping = stopping.Register(() => stopped.TrySetResult());
        await stopped.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops gracefully: drains requests and records the stop (the host's shutdown timeout bounds
    /// both), then writes what the audit log still holds and signs a final checkpoint.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.Services.GetRequiredService<AuditLog>().StopAsync();
        await _app.DisposeAsync();
        await _stores.DisposeAsync();
        _keys.Dispose();
        _directory.Dispose();
    }

    private static WebApplication Build(
        IConfiguration configuration,
        ValidatedNodeOptions options,
        GatewaySettings gateway,
        MqttListener mqttListener,
        NodeDataDirectory directory,
        NodeKeyring keys,
        NodeStores stores,
        TextWriter console,
        TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "Rampart",
            ContentRootPath = directory.Root,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        NodeLogging.Configure(builder.Logging, options.JsonLogs);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        builder.Services.AddSingleton(time);
        builder.Services.AddRampartCore(stores, keys);
        builder.Services.AddHostedService<CrlRefresher>();
        builder.Services.AddSingleton(keys);

        // An instance (not a factory), so the container never disposes it: the node owns the directory's lock.
        builder.Services.AddSingleton(directory);
        builder.Services.AddSingleton<LiveCaRollover>();
        builder.Services.AddSingleton(new NodeConsole(console));
        builder.Services.AddHostedService<AuditLogHostedService>();
        builder.Services.AddSingleton<NodeLifecycle>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<NodeLifecycle>());
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<FleetExceptionHandler>();
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true); // a body that does not bind gets its reason (FleetExceptionHandler), not an empty 400
        builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));

            // A request body that leaves out a required field or sets a non-nullable one to null is the
            // client's mistake: refused as 400 when it is read, never a NullReferenceException (500) later.
            json.SerializerOptions.RespectNullableAnnotations = true;
            json.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        builder.Services.AddRampartApiSecurity(configuration.GetSection("Rampart:Operators").GetValue<TimeSpan?>("SessionLifetime") ?? TimeSpan.FromHours(12));
        builder.Services.AddOpenApi("v1");
        builder.Services.AddRampartGateway(gateway);
        builder.Services.AddRampartDetection(configuration);
        builder.Services.AddRampartCluster(configuration);
        builder.Services.AddRampartUpdates(directory.Root, configuration);
        builder.Services.AddRampartSupplyChain(configuration);
        builder.Services.AddRampartExport();
        builder.Services.AddRampartMetrics();
        builder.Services.AddRampartPrivacy(configuration, directory.KeysDirectory);
        builder.Services.AddRampartAdapters(configuration);
        builder.Services.AddRampartConsole();
        builder.Services.AddRampartPosture(configuration);
        builder.Services.AddRampartKeyHealth(keys, configuration);
        builder.Services.AddRampartNetwork(configuration);

        // Data-protection keys (for the cookies and antiforgery tokens the operators issue adds)
        // stay in the owner-only keys folder, checked at every start like every other key.
        builder.Services.AddDataProtection()
            .SetApplicationName("rampart")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(directory.KeysDirectory, "data-protection")));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Listeners come only from Rampart's own options: an endpoint from a "Kestrel" section
            // could add a plaintext listener, and there is none (threat model, "Transport").
            kestrel.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;

            kestrel.Listen(options.Https.ToIPEndPoint(), listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseRampartProxyProtocol();
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = keys.TlsCertificate,

                    // Send the issuing CA too, so clients that hold only the root can verify.
                    ServerCertificateChain = [X509CertificateLoader.LoadCertificate(keys.Authority.Issuing.RawData)],
                    SslProtocols = TlsPolicy.Protocols,
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                    OnAuthenticate = (_, ssl) => TlsPolicy.Apply(ssl),

                    // A client certificate is optional here (EST renewal and factory enrollment use
                    // one); which anchors it must chain to depends on the endpoint, which checks it.
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });

            // MQTT over mutual TLS only: the gateway's guard counts half-open connections per source
            // before TLS, the handshake requires a certificate from this CA, then the broker takes over.
            kestrel.Listen(options.Mqtt.ToIPEndPoint(), listen =>
            {
                var mqtt = kestrel.ApplicationServices.GetRequiredService<MqttGateway>();
                mqttListener.Options = listen;
                listen.UseRampartProxyProtocol();
                listen.Use(mqtt.Guard);
                listen.Use(mqtt.OpenSslTls(keys.TlsCertificate)); // Rampart:Gateway:Tls:Implementation (OpenSSL serves the connection itself; SslStream falls through to UseHttps)
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = keys.TlsCertificate,
                    ServerCertificateChain = [X509CertificateLoader.LoadCertificate(keys.Authority.Issuing.RawData)],
                    SslProtocols = TlsPolicy.Protocols,
                    HandshakeTimeout = gateway.Gateway.HandshakeTimeout,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = mqtt.ValidateClientCertificate,
                    OnAuthenticate = (_, ssl) =>
                    {
                        TlsPolicy.Apply(ssl);
                        MqttTls.Apply(ssl);

                        // The handshake builds the client's chain against Rampart's CA only — never the
                        // system store — so the gateway checks the chain it was given instead of building another.
                        ssl.CertificateChainPolicy = mqtt.ClientChainPolicy();
                    },
                });
                listen.UseConnectionHandler<MqttConnectionHandler>();
            });

            // The admin channel: HTTP over an owner-only Unix socket, like docker.sock.
            File.Delete(directory.AdminSocketPath);
            kestrel.ListenUnixSocket(directory.AdminSocketPath, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(LocalAdminConnection.Middleware(kestrel.ApplicationServices.GetRequiredService<ILogger<LocalAdminConnection>>()));
            });
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseRequestBodyLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapEstEndpoints();
        app.MapCrlEndpoint();
        app.MapTufEndpoints();
        app.MapAdminApi();
        app.MapSupplyChain();
        app.MapRampartMetrics();
        app.MapPrivacy();
        app.MapAdapters();
        app.MapConsole();
        app.MapPosture();
        app.MapNetwork();
        app.MapOpenApi("/openapi/{documentName}.json").AllowPublic();
        return app;
    }

    private static async Task BindAsync(WebApplication app, ValidatedNodeOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException exception)
        {
            var reason = exception.InnerException is AddressInUseException ? "the address is already in use" : exception.Message;
            var mqtt = options.Mqtt.Port != 0 && exception.Message.Contains(options.Mqtt.ToString(), StringComparison.Ordinal)
                && !exception.Message.Contains(options.Https.ToString(), StringComparison.Ordinal);
            throw new NodeStartupException(mqtt ? $"cannot listen on {options.Mqtt} (--mqtt): {reason}" : $"cannot listen on {options.Https} (--https): {reason}", exception);
        }

        // The admin socket is reported as http://unix:…; it is a local file, owner-only, not a network listener.
        var plaintext = AddressesOf(app)
            .Where(address => address.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                              && !address.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        if (plaintext.Length > 0)
        {
            await app.StopAsync(CancellationToken.None);
            throw new NodeStartupException($"refusing to run with a plaintext listener ({string.Join(", ", plaintext)}); Rampart serves HTTPS only");
        }
    }

    private static IEnumerable<string> AddressesOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    private static Uri BoundHttpsUri(WebApplication app)
    {
        var https = AddressesOf(app).First(address => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        return new Uri(https);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Rampart node ready: https={HttpsUri} mqtts={MqttEndPoint} admin-socket={AdminSocket} tls-sha256={TlsFingerprint} data={DataDirectory} storage={StorageProvider} {StorageTarget}")]
    private static partial void LogReady(
        ILogger logger, Uri httpsUri, IPEndPoint mqttEndPoint, string adminSocket, string tlsFingerprint, string dataDirectory, string storageProvider, string storageTarget);

    // Kestrel updates the listen options with the real port once bound (port 0 in tests).
    private sealed class MqttListener
    {
        public ListenOptions? Options { get; set; }

        public IPEndPoint BoundEndPoint => Options?.IPEndPoint ?? throw new InvalidOperationException("the MQTT listener was not configured");
    }
}
