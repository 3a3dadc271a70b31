using Rampart.Bench;

// Scenario benchmarks measure whole operations on real files and sockets; figures go to the
// closing notes and docs/benchmarks.md, never into test assertions.
var scenarios = new Dictionary<string, Func<string[], Task>>(StringComparer.Ordinal)
{
    ["audit-append"] = AuditBench.AppendAsync,
    ["audit-verify"] = AuditBench.VerifyAsync,
    ["est-enroll"] = EstBench.EnrollAsync,
    ["est-cpu"] = EstCpuBench.RunAsync,
    ["est-breakdown"] = EstBreakdownBench.RunAsync,
    ["crash"] = CrashBench.RunAsync,
    ["mqtt-codec"] = MqttCodecBench.RunAsync,
    ["mqtt-fuzz"] = Rampart.Bench.Fuzz.MqttFuzzBench.RunAsync,
    ["mqtt-fuzz-tls"] = Rampart.Bench.Fuzz.MqttTlsFuzzBench.RunAsync,
    ["http-fuzz"] = Rampart.Bench.Fuzz.HttpFuzzBench.RunAsync,
    ["mqtt-provision"] = MqttProvisionBench.RunAsync,
    ["mqtt-load"] = MqttLoadBench.LoadAsync,
    ["mqtt-broker"] = MqttBrokerBench.RunAsync,
    ["mqtt-revoke"] = MqttRevocationBench.RunAsync,
    ["mqtt-revoke-cluster"] = ClusterRevocationBench.RunAsync,
    ["mqtt-load-cluster"] = ClusterLoadBench.RunAsync,
    ["est-enroll-cluster"] = ClusterEnrollBench.RunAsync,
    ["cluster-failover"] = ClusterFailoverBench.RunAsync,
    ["mqtt-idle"] = MqttLoadBench.IdleAsync,
    ["sim-storm"] = SimStormBench.RunAsync,
    ["mqtt-storm"] = MqttStormBench.RunAsync,
    ["lms"] = LmsBench.RunAsync,
    ["tuf-metadata"] = UpdatesBench.MetadataAsync,
    ["rollout-plan"] = UpdatesBench.PlanAsync,
    ["export-outbox"] = ExportBench.RunAsync,
    ["detection-recall"] = Rampart.Bench.Detection.DetectionBench.RecallAsync,
    ["detection-memory"] = Rampart.Bench.Detection.DetectionBench.MemoryAsync,
    ["detection-overhead"] = Rampart.Bench.Detection.DetectionOverheadBench.RunAsync,
    ["privacy-minimise"] = PrivacyBench.MinimiseAsync,
    ["privacy-overhead"] = PrivacyBench.OverheadAsync,
    ["privacy-kek-rotation"] = PrivacyBench.KekRotationAsync,
    ["privacy-archive-export"] = PrivacyArchiveBench.ExportAsync,
    ["coap-dtls"] = CoapDtlsBench.RunAsync,
    ["console-pages"] = ConsoleBench.RunAsync,
    ["posture-fleet"] = PostureBench.RunAsync,
    ["network-import"] = NetworkBench.ImportAsync,
    ["ipfix-collector"] = NetworkBench.CollectorAsync,
    ["supply-chain"] = SupplyChainBench.RunAsync,
};

if (args.Length == 0 || !scenarios.TryGetValue(args[0], out var scenario))
{
    Console.Error.WriteLine($"usage: Rampart.Bench <{string.Join("|", scenarios.Keys)}> [options]");
    return 2;
}

await scenario(args[1..]);
return Environment.ExitCode;
