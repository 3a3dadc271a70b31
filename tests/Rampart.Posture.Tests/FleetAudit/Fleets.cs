using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Enrollment;
using Rampart.Fleet.Inventory;
using Rampart.Fleet.Operators;
using Rampart.Fleet.Operators.Passwords;
using Rampart.Fleet.Permissions;
using Rampart.Posture.Evidence;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Procurement;
using Rampart.Posture.Zones;

namespace Rampart.Posture.Tests.FleetAudit;

/// <summary>A clean fleet, and one crafted so that every audit check has something to find.</summary>
internal static class Fleets
{
    private static readonly DateTimeOffset Now = Subjects.Now;

    public static AuditContext Clean() => new(Evidence(clean: true), Environment(clean: true), new FleetAuditOptions());

    public static AuditContext Crafted() => new(Evidence(clean: false), Environment(clean: false), new FleetAuditOptions());

    private static FleetEvidence Evidence(bool clean)
    {
        var good = Subjects.Device("d-good", supportUntil: new DateOnly(2030, 1, 1));
        var devices = new List<Fleet.Inventory.Device> { good };
        var certificates = new Dictionary<string, IReadOnlyList<CertificateFact>> { ["d-good"] = [Subjects.Certificate("d-good", "01")] };
        var users = new List<OperatorUser> { User("alice", totp: true) };
        var tokens = new List<BootstrapTokenRecord>();
        var events = new List<EventCount>();
        var postures = new Dictionary<string, ReportedPosture> { ["d-good"] = new("d-good", "1.0", "m", [443], Now) };
        var firmware = new Dictionary<string, FirmwareFact> { ["d-good"] = new("1.0", 1, Now.AddDays(-3)) };
        var shared = new HashSet<string>(StringComparer.Ordinal);
        if (!clean)
        {
            devices.AddRange([
                Subjects.Device("d-old", supportUntil: new DateOnly(2022, 1, 1)),
                Subjects.Device("d-quarantined", DeviceState.Quarantined, new DateOnly(2030, 1, 1)) with { Updated = Now.AddDays(-30) },
                Subjects.Device("d-clone", supportUntil: new DateOnly(2030, 1, 1)),
                Subjects.Device("d-new", DeviceState.Registered, new DateOnly(2030, 1, 1)),
            ]);
            certificates["d-old"] = [
                Subjects.Certificate("d-old", "02", bits: 1024, algorithm: "rsa", ageDays: 400, validDays: 420),
                Subjects.Certificate("d-old", "03", revoked: true),
                Subjects.Certificate("d-old", "04", ageDays: 1) with { Issuer = "CN=Some Retired CA" },
            ];
            shared.Add("d-clone");
            postures["d-old"] = new("d-old", "0.1", null, [23, 9999], Now);
            users.Add(User("bob", totp: false));
            tokens.Add(new BootstrapTokenRecord(7, "d-new", [], Now.AddDays(-6), Now.AddHours(3), null, null));
            events.Add(new EventCount("d-clone", "gateway.session-taken-over", 12));
        }

        return new FleetEvidence
        {
            Now = Now,
            Devices = devices,
            Certificates = certificates,
            SharedKeys = shared,
            Postures = postures,
            Firmware = firmware,
            OpenAlerts = new Dictionary<string, int>(),
            Models = new Dictionary<string, ModelRecord> { ["Acme/Cam-2"] = new(Subjects.GoodModel, ProcurementGate.Evaluate(Subjects.GoodModel, Now), "test", Now) },
            Confinements = new Dictionary<string, Confinement>(),
            UnusedTokens = tokens,
            Users = users,
            Events = events,
            Exposure = clean ? new FixedExposure(0) : new FixedExposure(1),
        };
    }

    private static AuditEnvironment Environment(bool clean)
    {
        var services = new Dictionary<string, ServicePermissions>
        {
            ["ingest"] = new("ingest", "ingest-*", new PermissionTemplate(["devices/+/commands/#"], ["$share/ingest/devices/+/telemetry/#"])),
        };
        var zones = new ZoneOptions();
        zones.Zones["plant"] = new ZoneDefinition { Restricted = true, CommandServices = ["ingest"] };
        if (!clean)
        {
            services["debug"] = new("debug", "debug", new PermissionTemplate(["devices/+/state"], ["#"]));
            zones.Zones["lab"] = new ZoneDefinition { Restricted = true };
        }
        else
        {
            zones.Zones[zones.ConfinedZone] = new ZoneDefinition { Restricted = true, CommandServices = ["ingest"] };
        }

        var (root, issuing) = clean ? (Ca("CN=Root", ECDsa.Create(ECCurve.NamedCurves.nistP256), 3650), Ca("CN=Rampart Issuing CA", ECDsa.Create(ECCurve.NamedCurves.nistP256), 3650))
            : (Ca("CN=Root", RSA.Create(1024), 20), Ca("CN=Rampart Issuing CA", ECDsa.Create(ECCurve.NamedCurves.nistP256), 3650));
        return new AuditEnvironment(root, issuing, services, clean ? "syslog:siem" : null,
            new Sessions(clean ? [] : [new LiveSession("d-old", "03", "10.0.0.9:4000")]), zones.ToPolicy());
    }

    private static X509Certificate2 Ca(string name, AsymmetricAlgorithm key, int days)
    {
        var request = key is RSA rsa ? new CertificateRequest(name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) : new CertificateRequest(name, (ECDsa)key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(days));
    }

    // The audit never looks at the hash; one cheap PBKDF2 hash serves every crafted operator.
    private static readonly PasswordHash AnyHash = Pbkdf2PasswordHash.Create("not-a-password-" + Guid.NewGuid(), 1_000);

    private static OperatorUser User(string name, bool totp) =>
        new(name, "operator", [], [], AnyHash, totp ? [1, 2, 3] : null, true, false, 0, null, 0, Now.AddDays(-10));

    private sealed class Sessions(IReadOnlyList<LiveSession> sessions) : ILiveSessions
    {
        public IReadOnlyList<LiveSession> Current() => sessions;
    }

    private sealed class FixedExposure(int critical) : IVulnerabilityExposure
    {
        public ExposureAnswer ExposureOf(string deviceId, string? firmwareVersion) =>
            new(true, deviceId == "d-old" ? critical : 0, 0, 0, "test data");
    }
}
