using System.Text;
using Microsoft.Data.Sqlite;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Secrets;
using Rampart.Fleet.Tests.Audit;
using Rampart.Storage.Operators;

namespace Rampart.Fleet.Tests.Operators;

public sealed class SetupTokenServiceTests : IAsyncLifetime
{
    private AuditTestLog _log = null!;
    private Fleet.Audit.AuditLog _audit = null!;
    private SetupTokenService _service = null!;

    public async Task InitializeAsync()
    {
        _log = await AuditTestLog.CreateAsync();
        _audit = _log.NewWriter();
        await _audit.StartAsync(CancellationToken.None);
        _service = new SetupTokenService(new SqliteSetupTokenStore(_log.Database), _audit, _log.Clock,
            Microsoft.Extensions.Options.Options.Create(new SetupTokenOptions()));
    }

    public async Task DisposeAsync()
    {
        await _audit.StopAsync();
        await _log.DisposeAsync();
    }

    [Fact]
    public async Task The_first_token_is_issued_once_only()
    {
        var first = await _service.IssueFirstAsync(CancellationToken.None);
        var again = await _service.IssueFirstAsync(CancellationToken.None);

        Assert.NotNull(first);
        Assert.StartsWith(SetupTokenService.Prefix, first.Token, StringComparison.Ordinal);
        Assert.Null(again);
    }

    [Fact]
    public async Task Only_the_hash_of_a_token_is_stored()
    {
        var issued = await _service.IssueFirstAsync(CancellationToken.None);
        await _audit.StopAsync();
        SqliteConnection.ClearAllPools();

        var files = Directory.GetFiles(Path.GetDirectoryName(_log.Database.Path)!).Select(File.ReadAllBytes).ToArray();
        var tokenBytes = Encoding.UTF8.GetBytes(issued!.Token);
        var hashBytes = SecretToken.Hash(issued.Token);
        Assert.DoesNotContain(files, bytes => bytes.AsSpan().IndexOf(tokenBytes) >= 0);
        Assert.Contains(files, bytes => bytes.AsSpan().IndexOf(hashBytes) >= 0);
    }

    [Fact]
    public async Task A_token_can_be_consumed_once()
    {
        var issued = await _service.IssueFirstAsync(CancellationToken.None);

        Assert.True(await _service.TryConsumeAsync(issued!.Token, "tester", CancellationToken.None));
        Assert.False(await _service.TryConsumeAsync(issued.Token, "tester", CancellationToken.None));
    }

    [Fact]
    public async Task Rotating_revokes_the_previous_token()
    {
        var old = await _service.IssueFirstAsync(CancellationToken.None);
        var fresh = await _service.RotateAsync("local-admin", null, CancellationToken.None);

        Assert.False(await _service.TryConsumeAsync(old!.Token, "tester", CancellationToken.None));
        Assert.True(await _service.TryConsumeAsync(fresh.Token, "tester", CancellationToken.None));
    }

    [Fact]
    public async Task A_token_expires_after_24_hours()
    {
        var issued = await _service.IssueFirstAsync(CancellationToken.None);
        _log.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        Assert.False(await _service.TryConsumeAsync(issued!.Token, "tester", CancellationToken.None));
    }

    [Fact]
    public async Task Issuing_rotating_and_refusals_are_audited_without_the_token()
    {
        var issued = await _service.IssueFirstAsync(CancellationToken.None);
        await _service.RotateAsync("local-admin", new Dictionary<string, string> { ["peer-pid"] = "42" }, CancellationToken.None);
        await _service.TryConsumeAsync("wrong", "tester", CancellationToken.None);

        var entries = new List<Fleet.Audit.AuditEntry>();
        await foreach (var entry in _log.Store.ReadEntriesAsync(1, CancellationToken.None))
        {
            entries.Add(entry);
        }

        Assert.Equal(["setup-token.issued", "setup-token.rotated", "setup-token.consumed"], entries.Select(e => e.Action));
        Assert.Equal(["node", "local-admin", "tester"], entries.Select(e => e.Actor));
        Assert.Equal("denied", entries[2].Outcome);
        Assert.Contains("\"peer-pid\":\"42\"", entries[1].Details, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Details.Contains(issued!.Token, StringComparison.Ordinal));
    }

    [Fact]
    public void An_issued_token_does_not_print_itself()
    {
        var issued = new IssuedSetupToken("rampart-setup-secret", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain("secret", issued.ToString(), StringComparison.Ordinal);
    }
}
