using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Rampart.Fleet.Inventory;
using Rampart.Server.Tests.EndToEnd;
using Rampart.Testing;

namespace Rampart.Server.Tests.Est;

/// <summary>A whole enrollment, renewal and revocation as a user does it: openssl and curl against a real node.</summary>
public sealed partial class EstInteropTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestNode _node = null!;

    private string Data => _node.Node.DataDirectory;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync(_temp.Sub("data"), time: _clock);
        Directory.CreateDirectory(_temp.Sub("work"));
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Openssl_and_curl_enroll_a_device_whose_certificate_verifies_and_carries_the_device_profile()
    {
        var token = await AddDeviceWithCliAsync("d1");

        var output = await EnrollAsync("d1", token);

        Assert.Contains("device.pem: OK", output, StringComparison.Ordinal);
        Assert.Contains("Subject: CN = d1", output, StringComparison.Ordinal);
        Assert.Contains("URI:urn:rampart:device:d1", output, StringComparison.Ordinal);
        Assert.Contains("TLS Web Client Authentication", output, StringComparison.Ordinal);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Digital Signature\s", output);
        Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:FALSE", output);
        Assert.Equal(2, Regex.Matches(await File.ReadAllTextAsync(Path.Combine(_temp.Sub("work"), "chain.pem")), "BEGIN CERTIFICATE").Count);
        Assert.Equal(DeviceState.Active, (await _node.Node.Services.GetRequiredService<InventoryService>().GetAsync("d1", CancellationToken.None)).State);
    }

    [Fact]
    public async Task Curl_renews_with_the_current_certificate_inside_the_renewal_window()
    {
        var token = await AddDeviceWithCliAsync("d1");
        await EnrollAsync("d1", token);
        var early = await ShellAsync(RenewScript, allowFailure: true);
        _clock.Advance(TimeSpan.FromDays(61));

        var output = await ShellAsync(RenewScript + $"\nopenssl verify -attime {_clock.GetUtcNow().ToUnixTimeSeconds()} -CAfile \"$CA\" -untrusted \"$ISSUING\" renewed.pem\n" +
            "openssl x509 -in device.pem -noout -serial; openssl x509 -in renewed.pem -noout -serial");

        Assert.Contains("403", early, StringComparison.Ordinal);
        Assert.Contains("renewal window is", early, StringComparison.Ordinal);
        Assert.Contains("renewed.pem: OK", output, StringComparison.Ordinal);
        var serials = SerialLine().Matches(output).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, serials.Length);
        Assert.NotEqual(serials[0], serials[1]);
    }

    [Fact]
    public async Task A_revoked_serial_appears_in_the_crl_with_its_reason()
    {
        var token = await AddDeviceWithCliAsync("d1");
        await EnrollAsync("d1", token);
        var serial = SerialLine().Match(await ShellAsync("openssl x509 -in device.pem -noout -serial")).Groups[1].Value;

        var (exitCode, revoke) = await RampartCli.RunAsync("cert", "revoke", "--serial", serial, "--reason", "keyCompromise", "--data", Data);
        var crl = await ShellAsync("curl -sSf --cacert \"$CA\" \"${URL}pki/crl\" -o crl.der && openssl crl -inform DER -in crl.der -noout -text");

        Assert.True(exitCode == 0, revoke);
        Assert.Contains($"Serial Number: {serial}", crl, StringComparison.Ordinal);
        Assert.Contains("Key Compromise", crl, StringComparison.Ordinal);
        Assert.Contains("Issuer: O = Rampart, CN = Rampart Issuing CA", crl, StringComparison.Ordinal);
        Assert.Contains("Next Update", crl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csrattrs_decodes_as_the_key_and_signature_the_ca_wants()
    {
        var output = await ShellAsync("curl -sSf --cacert \"$CA\" \"${URL}.well-known/est/csrattrs\" | base64 -d | openssl asn1parse -inform DER");

        Assert.Contains("ecdsa-with-SHA256", output, StringComparison.Ordinal);
        Assert.Contains("prime256v1", output, StringComparison.Ordinal);
    }

    private const string RenewScript = """
        openssl req -new -key device.key -subj /CN=ignored -outform DER | base64 > renew.csr.b64
        status=$(curl -sS --cacert "$CA" --cert device.pem --key device.key -H 'Content-Type: application/pkcs10' \
          --data-binary @renew.csr.b64 -o renew.out -w '%{http_code}' "${URL}.well-known/est/simplereenroll")
        echo "status $status"; [ "$status" = 200 ] || { cat renew.out; exit 1; }
        base64 -d renew.out > renewed.p7 && openssl pkcs7 -inform DER -in renewed.p7 -print_certs -out renewed.pem
        """;

    private async Task<string> EnrollAsync(string id, string token) => await ShellAsync($$"""
        curl -sSf --cacert "$CA" "${URL}.well-known/est/cacerts" | base64 -d > cacerts.p7
        openssl pkcs7 -inform DER -in cacerts.p7 -print_certs -out chain.pem
        openssl ecparam -name prime256v1 -genkey -noout -out device.key
        openssl req -new -key device.key -subj /CN=ignored -outform DER | base64 > device.csr.b64
        curl -sSf --cacert "$CA" -u '{{id}}:{{token}}' -H 'Content-Type: application/pkcs10' \
          --data-binary @device.csr.b64 "${URL}.well-known/est/simpleenroll" | base64 -d > cert.p7
        openssl pkcs7 -inform DER -in cert.p7 -print_certs -out device.pem
        openssl verify -CAfile "$CA" -untrusted "$ISSUING" device.pem
        openssl x509 -in device.pem -noout -text
        """);

    private async Task<string> AddDeviceWithCliAsync(string id)
    {
        var (exitCode, output) = await RampartCli.RunAsync("device", "add", id, "--model", "sensor", "--data", Data);
        Assert.True(exitCode == 0, output);
        return BootstrapToken().Match(output).Value;
    }

    private async Task<string> ShellAsync(string script, bool allowFailure = false)
    {
        var (exitCode, output) = await RunningProcess.RunAsync("bash", ["-euo", "pipefail", "-c", script], TimeSpan.FromSeconds(60), _temp.Sub("work"),
            new Dictionary<string, string>
            {
                ["CA"] = Path.Combine(Data, "ca-root.crt.pem"),
                ["ISSUING"] = Path.Combine(Data, "ca-issuing.crt.pem"),
                ["URL"] = _node.Node.HttpsUri.ToString(),
            });
        Assert.True(allowFailure || exitCode == 0, output);
        return output;
    }

    [GeneratedRegex("rampart-boot-[A-Za-z0-9_-]{43}")]
    private static partial Regex BootstrapToken();

    [GeneratedRegex("serial=([0-9A-F]+)")]
    private static partial Regex SerialLine();
}
