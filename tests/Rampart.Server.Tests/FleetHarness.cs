using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.DataDirectory;
using Rampart.Server.Hosting;
using Rampart.Server.Keys;
using Rampart.Storage.Certificates;
using Rampart.Storage.Migrations;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Server.Tests;

/// <summary>The node's services without HTTP: real SQLite, real CA, real audit log, a clock the test moves.</summary>
internal sealed class FleetHarness : IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private readonly NodeDataDirectory _directory;
    private readonly NodeKeyring _keys;
    private readonly ServiceProvider _services;

    private FleetHarness(TempDirectory temp, NodeDataDirectory directory, NodeKeyring keys, ServiceProvider services, ManualTimeProvider clock)
    {
        _temp = temp;
        _directory = directory;
        _keys = keys;
        _services = services;
        Clock = clock;
    }

    public ManualTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static async Task<FleetHarness> CreateAsync()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var temp = new TempDirectory();
        var directory = NodeDataDirectory.OpenExclusive(temp.Sub("data"));
        var database = new SqliteDatabase(directory.DatabasePath);
        await new MigrationRunner(database).ApplyAsync();
        var keys = await NodeKeyring.LoadOrCreateAsync(directory, names: null, new SqliteCertificateStore(database), clock, CancellationToken.None);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddRampartCore(database, keys)
            .BuildServiceProvider();
        await services.GetRequiredService<AuditLog>().StartAsync(CancellationToken.None);
        return new FleetHarness(temp, directory, keys, services, clock);
    }

    /// <summary>Adds a device and returns its bootstrap token.</summary>
    public async Task<string> AddDeviceAsync(string id, string? vendor = null) =>
        (await Get<InventoryService>().AddAsync(new NewDevice(id, Vendor: vendor), "test", CancellationToken.None)).Token.Token;

    public Task<EnrollmentResult> EnrollAsync(EstCredentials credentials, AsymmetricAlgorithm key, EstOperation operation = EstOperation.Enroll) =>
        Get<EnrollmentService>().EnrollAsync(operation, credentials, Csr(key), CancellationToken.None);

    /// <summary>An activated operator of <paramref name="role"/> (invitation, password, TOTP where required) and their TOTP secret.</summary>
    public async Task<(OperatorIdentity Identity, byte[]? Totp)> OperatorAsync(string name, string role, IReadOnlyList<string>? sites = null, string password = "tidal-orbit-quince-7-lantern")
    {
        var users = Get<UserService>();
        var invitation = await users.InviteAsync(name, role, sites, null, "local-admin", CancellationToken.None);
        var activation = await users.ActivateAsync(invitation.Token, null, password, CancellationToken.None);
        byte[]? secret = null;
        if (!activation.Activated)
        {
            secret = Base32.Decode(activation.TotpSecret!);
            await users.ConfirmAsync(invitation.Token, null, TotpCode(secret), CancellationToken.None);
        }

        var user = await users.GetActiveAsync(name, CancellationToken.None);
        return (OperatorIdentity.Of(user!), secret);
    }

    /// <summary>The TOTP code at the harness clock (advance it 30 s between uses: codes are single use).</summary>
    public string TotpCode(byte[] secret) => TotpGenerator.Code(secret, TotpGenerator.StepOf(Clock.GetUtcNow()), HashAlgorithmName.SHA1);

    public static byte[] Csr(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => new CertificateRequest("CN=anything", ec, HashAlgorithmName.SHA256).CreateSigningRequest(),
        RSA rsa => new CertificateRequest("CN=anything", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest(),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    public static EstCredentials Basic(string user, string token, string source = "192.0.2.1") => new(user, token, null, source);

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync() =>
        await Get<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).ToListAsync();

    public Task<IReadOnlyList<SecurityEvent>> EventsAsync(string? deviceId = null) =>
        Get<ISecurityEventStore>().ListAsync(deviceId, 1000, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<AuditLog>().StopAsync();
        await _services.DisposeAsync();
        _keys.Dispose();
        _directory.Dispose();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}
