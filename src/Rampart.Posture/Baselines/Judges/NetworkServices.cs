using Rampart.Posture.Evidence;

namespace Rampart.Posture.Baselines.Judges;

/// <summary>
/// Evidence: the device's last posture report lists no insecure service listening (telnet, FTP, plain
/// HTTP, plain MQTT, …) and no port its model does not declare. Declaration: no plaintext protocol.
/// </summary>
public sealed class NetworkServices : IJudge
{
    /// <summary>Ports of services that send credentials or commands in the clear, with their names.</summary>
    public static IReadOnlyDictionary<int, string> InsecurePorts { get; } = new Dictionary<int, string>
    {
        [21] = "ftp", [23] = "telnet", [69] = "tftp", [80] = "http", [161] = "snmp", [512] = "rexec", [513] = "rlogin", [514] = "rsh",
        [1883] = "mqtt (plaintext)", [2323] = "telnet (alternate)", [5555] = "adb", [5683] = "coap (plaintext)", [8080] = "http (alternate)",
    };

    /// <summary>Protocols that are plaintext (a model declaring one fails).</summary>
    public static IReadOnlySet<string> PlaintextProtocols { get; } = new HashSet<string>(StringComparer.Ordinal) { "telnet", "ftp", "tftp", "http", "mqtt", "coap", "snmpv1", "snmpv2c", "rsh", "rlogin" };

    public static NetworkServices Observed { get; } = new(observed: true);

    public static NetworkServices Declared { get; } = new(observed: false);

    private readonly bool _observed;

    private NetworkServices(bool observed) => _observed = observed;

    public string Describes => _observed
        ? "the last posture report lists no insecure service listening and no port the model does not declare"
        : "the model declares no plaintext protocol";

    public Judgement Judge(PostureSubject subject) => _observed ? JudgeObserved(subject) : JudgeDeclared(subject);

    /// <summary>The insecure or undeclared ports of a report (shared with the fleet audit).</summary>
    public static IReadOnlyList<string> Offending(ReportedPosture posture, IReadOnlyList<int>? declared) =>
        posture.ListeningPorts
            .Where(port => InsecurePorts.ContainsKey(port) || (declared is not null && !declared.Contains(port)))
            .Select(port => InsecurePorts.TryGetValue(port, out var name) ? $"{port} ({name})" : $"{port} (not declared by the model)")
            .ToArray();

    private static Judgement JudgeObserved(PostureSubject subject)
    {
        if (subject.Posture is not { } posture)
        {
            return Judgement.NotAssessable("the device has not reported its posture");
        }

        var offending = Offending(posture, subject.Model?.Capabilities.ListeningPorts);
        return offending.Count > 0
            ? Judgement.Fail(EvidenceSource.Rampart, $"posture of {posture.Reported:yyyy-MM-dd HH:mm}Z lists {string.Join(", ", offending)}")
            : Judgement.Pass(EvidenceSource.Rampart, $"posture of {posture.Reported:yyyy-MM-dd HH:mm}Z lists {(posture.ListeningPorts.Count == 0 ? "no listening port" : "ports " + string.Join(", ", posture.ListeningPorts))}");
    }

    private static Judgement JudgeDeclared(PostureSubject subject)
    {
        if (subject.Model?.Capabilities.Protocols is not { } protocols)
        {
            return Judgement.NotAssessable("the model does not declare its protocols");
        }

        var plaintext = protocols.Where(PlaintextProtocols.Contains).ToArray();
        return plaintext.Length > 0
            ? Judgement.Fail(EvidenceSource.Declaration, $"the model declares plaintext protocols: {string.Join(", ", plaintext)}")
            : Judgement.Pass(EvidenceSource.Declaration, $"the model declares {string.Join(", ", protocols)}");
    }
}
