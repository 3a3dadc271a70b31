using System.Security.Cryptography.X509Certificates;

namespace Rampart.Fleet.Certificates;

/// <summary>RFC 5280 §5.3.1 reason codes by the names operators type.</summary>
public static class RevocationReasons
{
    private static readonly Dictionary<string, X509RevocationReason> _byName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unspecified"] = X509RevocationReason.Unspecified,
        ["keyCompromise"] = X509RevocationReason.KeyCompromise,
        ["affiliationChanged"] = X509RevocationReason.AffiliationChanged,
        ["superseded"] = X509RevocationReason.Superseded,
        ["cessationOfOperation"] = X509RevocationReason.CessationOfOperation,
        ["privilegeWithdrawn"] = X509RevocationReason.PrivilegeWithdrawn,
    };

    /// <summary>The names accepted.</summary>
    public static IEnumerable<string> Names => _byName.Keys;

    /// <summary>Parses a name; false for anything else (certificateHold and removeFromCRL are not offered: revocation here is final).</summary>
    public static bool TryParse(string? name, out X509RevocationReason reason)
    {
        if (name is null)
        {
            reason = X509RevocationReason.Unspecified;
            return true;
        }

        return _byName.TryGetValue(name, out reason);
    }

    /// <summary>The RFC name of a reason.</summary>
    public static string NameOf(X509RevocationReason reason) =>
        _byName.FirstOrDefault(pair => pair.Value == reason).Key ?? reason.ToString();
}
