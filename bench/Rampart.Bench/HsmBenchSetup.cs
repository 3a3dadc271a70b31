using Rampart.Testing.Servers;

namespace Rampart.Bench;

/// <summary>
/// <c>--hsm</c> for the node benches: the data directory is prepared with <c>rampart ca init
/// --pkcs11-module</c> on a SoftHSM2 token of its own, so the node's CA and audit keys sign inside the
/// token. SoftHSM is a software token (same CPU, no hardware latency or queueing): the figures show what
/// the PKCS#11 path costs, not what a hardware HSM would.
/// </summary>
internal static class HsmBenchSetup
{
    public static async Task InitializeAsync(string data)
    {
        var token = SoftHsm.Shared.Take();
        var (exit, output) = await NodeProcess.RunCliAsync("ca", "init", "--pkcs11-module", token.Module, "--token-label", token.Label, "--pin-file", token.PinFile, "--data", data);
        if (exit != 0)
        {
            throw new InvalidOperationException($"rampart ca init failed: {output}");
        }
    }

    public static string Describe(bool hsm) => hsm ? "keys=pkcs11 (SoftHSM2: software token)" : "keys=files";
}
