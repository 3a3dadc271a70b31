namespace Rampart.Server.Keys.Hsm;

/// <summary><c>Rampart:Keys:Token</c>: how often the node checks that its PKCS#11 token still answers.</summary>
public sealed class TokenMonitorOptions
{
    /// <summary>Between two probes (a probe is one C_GetSessionInfo and one C_FindObjects per key in use; a reconnect attempt while the token is gone).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(2);
}
