using System.Security.Cryptography;
using Rampart.Fleet.Gateway;
using Rampart.Fleet.Monitoring;
using Rampart.Mqtt.Broker;
using Rampart.Mqtt.Packets;
using Rampart.Mqtt.Protocol;
using Rampart.Privacy.Delivery;
using Rampart.Privacy.Keys;
using Rampart.Privacy.Subjects;
using Rampart.Storage.Sqlite;
using Rampart.Testing;

namespace Rampart.Privacy.Tests.Delivery;

/// <summary>A compiled policy of two regions and three services, a directory, and the filter over them, with the gateway's real event tap on a SQLite store.</summary>
internal sealed class PrivacyFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public PrivacyFixture(Action<PrivacyOptions>? configure = null)
    {
        var options = new PrivacyOptions
        {
            Regions = new() { ["eu"] = new() { Sites = ["berlin"] }, ["us"] = new() { Sites = ["ohio"] }, ["jp"] = new() { TransfersTo = ["eu"] } },
            Services = new()
            {
                ["analytics"] = new() { Region = "eu", Purposes = new() { ["analytics"] = "consent" } },
                ["support"] = new() { Region = "eu", Purposes = new() { ["support"] = "contract" } },
                ["ohio"] = new() { Region = "us", Purposes = new() { ["support"] = "contract" } },
            },
            Topics = new() { ["location"] = new() { Path = "telemetry/location", Class = Rampart.Privacy.Classification.DataClass.Sensitive, Purpose = "where the device is" } },
            Minimise = [new() { Topic = "location", Service = "analytics", Drop = ["owner"], Round = new() { ["lat"] = 2 }, Pseudonymise = ["serial"] }],
        };
        configure?.Invoke(options);
        Pseudonyms = new Pseudonyms(RandomNumberGenerator.GetBytes(32));
        Policy = new PrivacyPolicy(options, Pseudonyms);
        var database = new SqliteDatabase(_temp.Sub("events.db"));
        Refusals = new RefusalEvents(new GatewayEventTap(new SqliteNodeStores(database).SecurityEvents, new FleetEventStream(), Clock), Clock, TimeSpan.FromSeconds(10));
        Filter = new PrivacyDeliveryFilter(Policy, Directory, Refusals);
    }

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public Pseudonyms Pseudonyms { get; }

    public PrivacyPolicy Policy { get; }

    public SubjectDirectory Directory { get; } = new();

    public RefusalEvents Refusals { get; }

    public PrivacyDeliveryFilter Filter { get; }

    public void Subject(string pseudonym, string region, string[] devices, params string[] consents) =>
        Directory.Set(new SubjectRouting(pseudonym, region, devices, consents.ToHashSet(StringComparer.Ordinal)));

    public DeliveryDecision Deliver(string topic, string payload, string subscriber) =>
        Filter.Decide(new MqttMessage(topic, System.Text.Encoding.UTF8.GetBytes(payload), MqttQualityOfService.AtMostOnce, false, MqttProperties.Empty, "d", null, "device:d"),
            new Subscriber(subscriber));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    /// <summary>The one thing the filter asks of a subscriber's policy is its principal.</summary>
    private sealed class Subscriber(string principal) : IMqttClientPolicy
    {
        public string Principal { get; } = principal;

        public Admission AuthorizeSession() => Admission.Allowed;

        public Admission AuthorizePublish(string topic, int bytes) => Admission.Allowed;

        public Admission AuthorizeSubscribe(string filter) => Admission.Allowed;

        public bool MayKeepSubscription(string filter) => true;

        public void OnConnected(bool sessionPresent, string? tookOverFrom)
        {
        }

        public void OnDelivered(int bytes)
        {
        }

        public void OnDropped(string reason)
        {
        }

        public void OnClosed(MqttReasonCode reason, string detail)
        {
        }
    }
}
