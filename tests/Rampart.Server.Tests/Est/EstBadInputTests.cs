using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Inventory;
using Rampart.Testing;

namespace Rampart.Server.Tests.Est;

/// <summary>Every refusal path of simpleenroll over HTTPS: a 4xx with a clear message, nothing written but the audit entry.</summary>
public sealed class EstBadInputTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestNode _node = null!;
    private HttpClient _http = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync(_temp.Sub("data"), time: _clock);
        _http = _node.HttpsClient();
        _token = (await Inventory.AddAsync(new NewDevice("d1"), "test", CancellationToken.None)).Token.Token;
        await Inventory.AddAsync(new NewDevice("d2"), "test", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    private InventoryService Inventory => _node.Node.Services.GetRequiredService<InventoryService>();

    public static TheoryData<string, string, HttpStatusCode, string> Cases => new()
    {
        { "malformed base64", "base64", HttpStatusCode.BadRequest, "not base64" },
        { "not DER", "junk-der", HttpStatusCode.BadRequest, "not a DER PKCS#10" },
        { "bad signature", "bad-signature", HttpStatusCode.BadRequest, "no proof of possession" },
        { "over 64 KiB", "huge", HttpStatusCode.RequestEntityTooLarge, "over 65536 bytes" },
        { "unknown token", "unknown-token", HttpStatusCode.Unauthorized, "unknown, used, revoked or expired bootstrap token" },
        { "token for another device", "other-device", HttpStatusCode.Unauthorized, "not for device d2" },
        { "no credentials", "no-credentials", HttpStatusCode.Unauthorized, "present a bootstrap token" },
        { "malformed authorization", "bad-header", HttpStatusCode.Unauthorized, "Authorization header is malformed" },
        { "wrong content type", "content-type", HttpStatusCode.UnsupportedMediaType, "application/pkcs10" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Simpleenroll_refuses_bad_input_with_a_clear_reason_and_writes_nothing_but_the_audit_entry(
        string description, string kind, HttpStatusCode status, string message)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var body = kind switch
        {
            "base64" => "%%% not base64 %%%",
            "junk-der" => Convert.ToBase64String([0x30, 0x03, 0x02, 0x01, 0x05]),
            "bad-signature" => Convert.ToBase64String(Tamper(csr)),
            "huge" => new string('A', 70_000),
            _ => Convert.ToBase64String(csr),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
        {
            Content = new StringContent(body, Encoding.ASCII, kind == "content-type" ? "application/json" : "application/pkcs10"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Authorization = kind switch
        {
            "unknown-token" => Basic("d1", "rampart-boot-" + new string('x', 43)),
            "other-device" => Basic("d2", _token),
            "no-credentials" => null,
            "bad-header" => new AuthenticationHeaderValue("Basic", "!!!"),
            _ => Basic("d1", _token),
        };

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(status == response.StatusCode, $"{description}: {(int)response.StatusCode} {text}");
        Assert.Contains(message, text, StringComparison.Ordinal);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        var services = _node.Node.Services;
        Assert.Empty(await services.GetRequiredService<ICertificateStore>().ListAsync("device", "d1", CancellationToken.None));
        Assert.Equal(DeviceState.Registered, (await Inventory.GetAsync("d1", CancellationToken.None)).State);
        if (kind is "junk-der" or "bad-signature" or "unknown-token" or "other-device" or "no-credentials")
        {
            var refused = await services.GetRequiredService<IAuditStore>().ReadEntriesAsync(1, CancellationToken.None).LastAsync();
            Assert.Equal(("enrollment.refused", "denied"), (refused.Action, refused.Outcome));
        }
    }

    [Fact]
    public async Task A_used_and_an_expired_token_are_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var d2Token = (await Inventory.IssueBootstrapTokenAsync("d2", "test", CancellationToken.None)).Token;

        var first = await EnrollAsync("d1", _token, key);
        var reused = await EnrollAsync("d1", _token, other);
        _clock.Advance(TimeSpan.FromHours(25));
        var expired = await EnrollAsync("d2", d2Token, other);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/pkcs7-mime; smime-type=certs-only", first.Content.Headers.ContentType?.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task Cacerts_needs_no_credentials_and_returns_the_chain()
    {
        using var response = await _http.GetAsync(".well-known/est/cacerts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pkcs7-mime", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("base64", response.Content.Headers.TryGetValues("Content-Transfer-Encoding", out var values) ? values.Single() : response.Headers.GetValues("Content-Transfer-Encoding").Single());
    }

    private async Task<HttpResponseMessage> EnrollAsync(string user, string token, ECDsa key)
    {
        var csr = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var request = new HttpRequestMessage(HttpMethod.Post, ".well-known/est/simpleenroll")
        {
            Content = new StringContent(Convert.ToBase64String(csr), Encoding.ASCII, "application/pkcs10"),
        };
        request.Headers.Authorization = Basic(user, token);
        return await _http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static byte[] Tamper(byte[] der)
    {
        var copy = der.ToArray();
        copy[^5] ^= 0x55;
        return copy;
    }
}
