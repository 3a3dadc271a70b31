using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Http;

/// <summary>curl against a real node process: every oversized body gets 413, on every protocol, and leaves no stack trace in the log.</summary>
public sealed class RequestBodyLimitTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_oversized_login_body_gets_413_on_http2_and_http1_with_and_without_content_length_and_no_stack_trace()
    {
        // Valid JSON up to the limit and past it, so the reader is mid-document when the limit hits
        // (the HTTP/2 failure needed that); 1.1 MiB and 2 MiB, since the race depended on the size.
        var bodies = new[] { 1_100_000, 2_000_000 }.Select(size =>
        {
            var path = Path.Combine(Directory.CreateDirectory(_temp.Sub("bodies")).FullName, $"{size}.json");
            File.WriteAllText(path, "{\"user\":\"" + new string('a', size) + "\",\"password\":\"x\"}");
            return path;
        }).ToArray();
        using var node = RampartCli.Serve(_temp.Sub("data"));
        var uri = await RampartCli.WaitUntilReadyAsync(node);
        var login = new Uri(uri, "api/v1/auth/login").ToString();

        var answers = new List<string>();
        var http1Chunked = new List<string>();
        foreach (var body in bodies)
        {
            // Repeated: before the fix about half of the HTTP/2 requests without Content-Length got 500.
            for (var attempt = 0; attempt < 4; attempt++)
            {
                answers.Add("http2 no length: " + await CurlAsync($"cat '{body}' 2>/dev/null | curl -sk --http2 -X POST -H 'Content-Type: application/json' -T - '{login}' -o /dev/null -w '%{{http_code}}'"));
                answers.Add("http2 content-length: " + await CurlAsync($"curl -sk --http2 -X POST -H 'Content-Type: application/json' --data-binary '@{body}' '{login}' -o /dev/null -w '%{{http_code}}'"));
                answers.Add("http1.1 content-length: " + await CurlAsync($"curl -sk --http1.1 -X POST -H 'Content-Type: application/json' --data-binary '@{body}' '{login}' -o /dev/null -w '%{{http_code}}'"));
                http1Chunked.Add(await CurlAsync($"cat '{body}' 2>/dev/null | curl -sk --http1.1 -H 'Expect:' -X POST -H 'Content-Type: application/json' -T - '{login}' -o /dev/null -w '%{{http_code}}'", allowSendFailure: true));
            }
        }

        Assert.All(answers, answer => Assert.EndsWith(": 413", answer, StringComparison.Ordinal));

        // HTTP/1.1 chunked: the node answers 413 and closes while curl may still be sending; the
        // kernel's reset can then discard the answer before curl reads it (curl 55, no status).
        // Whatever curl saw, it was never anything but 413.
        Assert.All(http1Chunked, answer => Assert.True(answer is "413" or "send failed", answer));
        Assert.Contains("413", http1Chunked);
        Assert.DoesNotContain("Exception", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_under_the_limit_without_content_length_is_still_read_on_http2()
    {
        using var node = RampartCli.Serve(_temp.Sub("data"));
        var uri = await RampartCli.WaitUntilReadyAsync(node);

        var status = await CurlAsync($"printf '%s' '{{\"user\":\"nobody\",\"password\":\"wrong-password-1\"}}' | curl -sk --http2 -X POST -H 'Content-Type: application/json' -T - '{new Uri(uri, "api/v1/auth/login")}' -o /dev/null -w '%{{http_code}}'");

        // Read and judged: a wrong login (the handler's answer), not a refusal of the body.
        Assert.Equal("401", status);
    }

    private static async Task<string> CurlAsync(string script, bool allowSendFailure = false)
    {
        var (exitCode, output) = await RunningProcess.RunAsync("sh", ["-c", script], RampartCli.Patience);
        if (allowSendFailure && exitCode == 55)
        {
            return "send failed";
        }

        Assert.True(exitCode == 0, $"curl exited {exitCode}: {output}");
        return output.Trim();
    }
}
