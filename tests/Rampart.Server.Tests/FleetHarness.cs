using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Monitoring;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Totp;
using Rampart.Server.Hosting;
using Rampart.Testing;

namespace Rampart.Server.Tests;

/// <summary>The node's services without HTTP: real SQLite, real CA, real audit log, a clock the test moves.</summary>
internal sealed class FleetHarness : IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private readonly OfflineNode _node;

    private FleetHarness(TempDirectory temp, OfflineNode node, ManualTimeProvider clock)
    {
        _temp = temp;
        _node = node;
        Clock = clock;
    }

    public ManualTimeProvider Clock { get; }

    /// <summary>The data directory the node opened.</summary>
    public string DataDirectory => _temp.Sub("data");

    public IServiceProvider Services => _node.Services;

    public T Get<T>()
        where T : notnull => _node.Services.GetRequiredService<T>();

    /// <summary>A new data directory opened as the node opens it for admin commands, on a manual clock.</summary>
    public static async Task<FleetHarness> CreateAsync()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var temp = new TempDirectory();
        var node = await OfflineNode.OpenAsync(temp.Sub("data"), CancellationToken.None, initialize: true, time: clock);
        return new FleetHarness(temp, node, clock);
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

    public async Task<IReadOnlyList<SecurityEvent>> EventsAsync(string? deviceId = null) =>
        (await Get<ISecurityEventStore>().ListAsync(deviceId, 1000, CancellationToken.None)).Select(stored => stored.Event).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}
