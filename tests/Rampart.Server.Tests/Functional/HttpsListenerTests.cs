using System.Net;
using System.Text.Json;
using Rampart.Testing;

namespace Rampart.Server.Tests.Functional;

public sealed class HttpsListenerTests : NodeTestBase
{
    [Fact]
    public async Task Healthz_answers_over_tls_with_the_pinned_certificate()
    {
        using var client = Node.HttpsClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_reports_the_database_and_schema_ready()
    {
        using var client = Node.HttpsClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Admin_operations_are_not_reachable_over_https()
    {
        using var client = Node.HttpsClient();

        var response = await client.PostAsync("/api/v1/setup-token", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Plain_http_on_the_https_port_gets_no_answer()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Node.Node.HttpsUri.Port}"), Timeout = TimeSpan.FromSeconds(10) };

        // The TLS listener closes a connection that does not start with a TLS handshake, unanswered.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz"));

        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
    }

    [Theory]
    [InlineData("-tls1_2", "ECDHE-ECDSA-AES256-GCM-SHA384", true)]
    [InlineData("-tls1_3", null, true)]
    [InlineData("-tls1_2", "ECDHE-ECDSA-AES128-SHA", false)]   // CBC: not AEAD
    [InlineData("-tls1_2", "ECDHE-ECDSA-AES256-SHA384", false)] // CBC with SHA-384
    [InlineData("-tls1_1", null, false)]
    public async Task Openssl_handshakes_succeed_only_with_tls_1_2_or_1_3_and_aead_suites(string protocol, string? cipher, bool accepted)
    {
        List<string> arguments = ["s_client", "-connect", $"127.0.0.1:{Node.Node.HttpsUri.Port}", protocol];
        if (cipher is not null)
        {
            arguments.AddRange(["-cipher", cipher]);
        }

        if (protocol == "-tls1_1")
        {
            // Debian's OpenSSL refuses TLS 1.1 at its default security level; lower it so the server's answer is what is tested.
            arguments.AddRange(["-cipher", "DEFAULT@SECLEVEL=0"]);
        }

        var (exitCode, output) = await RunningProcess.RunAsync("openssl", arguments, TimeSpan.FromSeconds(30));

        if (accepted)
        {
            Assert.True(exitCode == 0, output);
            Assert.Matches(protocol == "-tls1_3" ? "Protocol *: TLSv1.3|TLSv1.3" : "TLSv1.2", output);
        }
        else
        {
            Assert.NotEqual(0, exitCode);
            Assert.Matches("alert", output); // the server's TLS alert, not a client-side refusal
        }
    }

    [Fact]
    public async Task A_refused_login_is_answered_401_and_a_burst_of_them_429()
    {
        using var client = Node.HttpsClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/api/v1/auth/login",
                new StringContent($"{{\"user\":\"nobody\",\"password\":\"guess-{i}\"}}", System.Text.Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
        }

        // The first failures are free (401, RFC 9110 §15.5.2); then the node backs off (429, RFC 6585 §4).
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.DoesNotContain(HttpStatusCode.BadRequest, statuses);
    }

    [Theory]
    [InlineData("/api/v1/users/activate", "{\"password\":\"correct horse\"}")]
    [InlineData("/api/v1/users/activate", "{\"token\":null,\"password\":\"correct horse\"}")]
    [InlineData("/api/v1/auth/login", "{\"user\":null,\"password\":\"x\"}")]
    [InlineData("/api/v1/auth/login", "{}")]
    public async Task A_body_without_a_required_field_is_answered_400_not_500(string path, string body)
    {
        // Found by bench http-fuzz: a missing invitation token reached the service as null (500, stack trace).
        using var client = Node.HttpsClient();

        using var response = await client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("NullReferenceException", Node.Console.ToString(), StringComparison.Ordinal);
    }
}
