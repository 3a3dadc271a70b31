using Microsoft.Extensions.Configuration;
using Rampart.Server.Hosting;

namespace Rampart.Server.Tests.Storage;

/// <summary>Rampart:Storage and the reserved Rampart:Cluster section: checked before the node touches anything, the password never echoed.</summary>
public sealed class StorageSettingsTests
{
    private const string Password = "s3cret-7f3a";

    [Fact]
    public void Without_settings_a_node_keeps_its_own_sqlite_file()
    {
        var settings = StorageSettings.From(Configuration([]));

        Assert.Equal("sqlite", settings.Provider);
        Assert.Null(settings.ConnectionString);
        Assert.Empty(settings.Nats);
    }

    [Fact]
    public void Postgres_takes_its_connection_string_and_never_prints_it()
    {
        var settings = StorageSettings.From(Configuration(new()
        {
            ["Rampart:Storage:Provider"] = "Postgres",
            ["Rampart:Storage:ConnectionString"] = $"Host=db;Username=rampart;Password={Password}",
            ["Rampart:Cluster:Nats"] = "nats://n1:4222, tls://n2:4222",
        }));

        Assert.True(settings.IsPostgres);
        Assert.Equal(2, settings.Nats.Count);
        Assert.DoesNotContain(Password, settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("redacted", settings.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rampart:Storage:Provider", "mysql", "is not one of: sqlite, postgres")]
    [InlineData("Rampart:Storage:Provider", "postgres", "ConnectionString: required for provider postgres")]
    [InlineData("Rampart:Cluster:Nats", "nats://user:" + Password + "@n1:4222", "without credentials")]
    [InlineData("Rampart:Cluster:Nats", "http://n1:4222", "nats://HOST:PORT")]
    public void A_wrong_setting_is_refused_with_its_name_and_without_its_secret(string key, string value, string reason)
    {
        var error = Assert.Throws<NodeStartupException>(() => StorageSettings.From(Configuration(new() { [key] = value })));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_refused_without_being_echoed()
    {
        var error = Assert.Throws<NodeStartupException>(() => StorageSettings.From(Configuration(new()
        {
            ["Rampart:Storage:Provider"] = "postgres",
            ["Rampart:Storage:ConnectionString"] = $"Hots=db;Password={Password}",
        })));

        Assert.Contains("ConnectionString: does not parse", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
