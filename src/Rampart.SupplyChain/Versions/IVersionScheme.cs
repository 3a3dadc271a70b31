namespace Rampart.SupplyChain.Versions;

/// <summary>How versions of one kind of package are ordered (semver, dpkg, PEP 440, generic).</summary>
public interface IVersionScheme
{
    /// <summary>Scheme name, for messages and docs.</summary>
    string Name { get; }

    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/>; null when either cannot be read.</summary>
    int? Compare(string a, string b);
}
