using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Device.Connection;

namespace Rampart.Server.Tests.Device;

public sealed class DeviceConnectionOptionsTests
{
    public static TheoryData<string, Func<DeviceConnectionOptions, DeviceConnectionOptions>> BadSettings() => new()
    {
        { "DeviceConnectionOptions.KeepAlive must be 2 s to 65535 s", o => Copy(o, keepAlive: TimeSpan.Zero) },
        { "DeviceConnectionOptions.KeepAlive must be 2 s to 65535 s", o => Copy(o, keepAlive: TimeSpan.FromDays(2)) },
        { "DeviceConnectionOptions.Port must be 1 to 65535 (it is 0)", o => Copy(o, port: 0) },
        { "DeviceConnectionOptions.SessionExpiry must be 0", o => Copy(o, sessionExpiry: TimeSpan.FromSeconds(-1)) },
        { "DeviceConnectionOptions.InitialReconnectDelay must be above 0", o => Copy(o, initialReconnectDelay: TimeSpan.Zero) },
        { "DeviceConnectionOptions.MaximumReconnectDelay must not be shorter than InitialReconnectDelay", o => Copy(o, initialReconnectDelay: TimeSpan.FromMinutes(5)) },
        { "DeviceConnectionOptions.PublishTimeout must be above 0", o => Copy(o, publishTimeout: TimeSpan.Zero) },
        { "DeviceConnectionOptions.Host is required", o => Copy(o, host: " ") },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_client_with_a_setting_out_of_range_is_refused_when_made_with_the_setting_named(string expected, Func<DeviceConnectionOptions, DeviceConnectionOptions> change)
    {
        using var root = SelfSigned();

        var error = Assert.Throws<ArgumentException>(() => new DeviceMqttClient(change(Options(root))));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_settings_make_a_client()
    {
        using var root = SelfSigned();

        await using var client = new DeviceMqttClient(Options(root));

        Assert.Equal("pump-7", client.DeviceId);
    }

    private static DeviceConnectionOptions Options(X509Certificate2 root) => new()
    {
        DeviceId = "pump-7",
        Host = "127.0.0.1",
        TrustedRoot = root,
        Certificate = () => root,
    };

    private static DeviceConnectionOptions Copy(DeviceConnectionOptions o, TimeSpan? keepAlive = null, int? port = null, TimeSpan? sessionExpiry = null,
        TimeSpan? initialReconnectDelay = null, TimeSpan? publishTimeout = null, string? host = null) => new()
    {
        DeviceId = o.DeviceId,
        Host = host ?? o.Host,
        Port = port ?? o.Port,
        TrustedRoot = o.TrustedRoot,
        Certificate = o.Certificate,
        KeepAlive = keepAlive ?? o.KeepAlive,
        SessionExpiry = sessionExpiry ?? o.SessionExpiry,
        InitialReconnectDelay = initialReconnectDelay ?? o.InitialReconnectDelay,
        MaximumReconnectDelay = o.MaximumReconnectDelay,
        PublishTimeout = publishTimeout ?? o.PublishTimeout,
    };

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=test root", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
