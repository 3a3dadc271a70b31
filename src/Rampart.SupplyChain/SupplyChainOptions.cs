using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain;

/// <summary>Supply-chain settings (<c>Rampart:SupplyChain</c>).</summary>
public sealed class SupplyChainOptions
{
    /// <summary>The severity a record without one counts as until it is scored (never harmless). Default high.</summary>
    public Severity Unscored { get; set; } = Severity.High;

    /// <summary>The release gate: an open vulnerability at or above this severity without a closing VEX statement refuses promotion. Default high.</summary>
    public Severity GateSeverity { get; set; } = Severity.High;

    /// <summary>
    /// Whether the release gate refuses promotion (default). Off, promotion is never refused by it
    /// (the gate is still evaluated and its reasons audited with the promotion).
    /// </summary>
    public bool EnforceGate { get; set; } = true;

    /// <summary>Whether a device newly exposed to an open vulnerability at or above <see cref="AlertSeverity"/> raises a detection alert (default on).</summary>
    public bool RaiseAlerts { get; set; } = true;

    /// <summary>The least severity that raises an exposure alert. Default high (high and critical).</summary>
    public Severity AlertSeverity { get; set; } = Severity.High;

    /// <summary>Most exposure alerts opened (and resolved) per recompute; the rest follow at the next one.</summary>
    public int MaxAlertsPerRecompute { get; set; } = 1000;

    /// <summary>
    /// How often exposure is recomputed besides after imports and VEX or base SBOM changes: devices
    /// updating to a fixing release close their exposure (and resolve their alerts) at the next one. Default 5 minutes.
    /// </summary>
    public TimeSpan ExposureInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether every device (re)connect sends an attestation challenge (default on; a device without the SDK's responder just never answers).</summary>
    public bool AttestOnConnect { get; set; } = true;

    /// <summary>How long a challenge stays answerable; a later answer is stale (a high event). Default 60 seconds.</summary>
    public TimeSpan AttestationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often challenges left unanswered past <see cref="AttestationTimeout"/> are looked for. Default 15 seconds.</summary>
    public TimeSpan AttestationSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether a device that stays connected and answers neither a challenge nor the second one the node
    /// then sends is a high event and alert (fed to the automatic response like a stale answer). Off by
    /// default, a warning only: every MQTT device is challenged at connect (<see cref="AttestOnConnect"/>),
    /// and a fleet's devices that do not run the SDK's responder (a mosquitto client, a legacy device)
    /// would otherwise all be quarantined two timeouts after they connect. Turn it on for a fleet that
    /// runs the responder everywhere: then a silent device is one whose firmware lost it.
    /// </summary>
    public bool AlertUnanswered { get; set; }

    /// <summary>
    /// Whether an open finding of a vulnerability in CISA's Known Exploited Vulnerabilities catalog
    /// refuses promotion whatever its severity (default): it is being exploited, its score aside.
    /// </summary>
    public bool GateKnownExploited { get; set; } = true;
}
