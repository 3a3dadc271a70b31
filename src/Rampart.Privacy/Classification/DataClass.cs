namespace Rampart.Privacy.Classification;

/// <summary>How much a piece of data says about a person (GDPR art. 4(1) personal data, art. 9 special categories).</summary>
public enum DataClass
{
    /// <summary>About the fleet and the node only: ids, states, counters, hashes.</summary>
    Operational,

    /// <summary>Relates to an identifiable person or household: names, addresses, source IPs, a home's telemetry.</summary>
    Personal,

    /// <summary>Special categories or close to them (art. 9; CPRA "sensitive personal information"): health, precise location, biometrics.</summary>
    Sensitive,
}
