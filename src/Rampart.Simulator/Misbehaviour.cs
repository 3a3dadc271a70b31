namespace Rampart.Simulator;

/// <summary>How a simulated device misbehaves, after incidents seen in the field.</summary>
public enum Misbehaviour
{
    /// <summary>A well-behaved device.</summary>
    None,

    /// <summary>A message storm far beyond its rate limit.</summary>
    Flood,

    /// <summary>Tries other devices' topics and wildcards.</summary>
    Scanner,

    /// <summary>The same identity from a second address (a copied key).</summary>
    Clone,

    /// <summary>Reports an open case and a changed firmware measurement.</summary>
    Tamper,

    /// <summary>Old firmware, end of support passed.</summary>
    Stale,

    /// <summary>A legacy device that tries a user name and password instead of a certificate.</summary>
    DefaultCreds,

    /// <summary>Installs firmware updates that then fail their health check, so it falls back to its previous slot.</summary>
    BadUpdate,

    /// <summary>Behaves, then sends far more data than before (bytes out of the device jump): data being carried off.</summary>
    Exfiltrate,

    /// <summary>Behaves, then restarts again and again (its boot counter climbs, its uptime stays short).</summary>
    RebootLoop,

    /// <summary>Behaves, then a telnet service (port 23) appears among its listening ports.</summary>
    Backdoor,

    /// <summary>Behaves, then calls a new destination at a fixed period (a command-and-control beacon).</summary>
    Beacon,

    /// <summary>Behaves, then its traffic grows a few percent a message: slow enough that a fixed threshold set for the fleet misses it for long.</summary>
    Drift,
}
