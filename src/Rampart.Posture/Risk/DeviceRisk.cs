namespace Rampart.Posture.Risk;

/// <summary>A device's risk as of the fleet audit run at <see cref="Assessed"/> (kept per device so lists can filter by band).</summary>
public sealed record DeviceRisk(string DeviceId, string Band, int Score, DateTimeOffset Assessed);

/// <summary>A device's stored risk with the points each factor added, as the fleet audit run at <see cref="Assessed"/> scored it.</summary>
public sealed record StoredRisk(string DeviceId, string Band, int Score, IReadOnlyDictionary<string, int> Factors, DateTimeOffset Assessed)
{
    /// <summary>The keyset cursor after this device in riskiest-first order: <c>{score}:{device id}</c>.</summary>
    public string Cursor => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Score}:{DeviceId}");

    /// <summary>A cursor's score and device id, or null when it is not one (a control character or an id longer than any device's is none: it never reaches the database).</summary>
    public static (int Score, string DeviceId)? ParseCursor(string? cursor) =>
        cursor?.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon
        && int.TryParse(cursor.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var score)
        && score <= 100 && colon < cursor.Length - 1 && cursor.Length - colon - 1 <= Rampart.Fleet.Inventory.DeviceIds.MaxLength && !cursor.Any(char.IsControl)
            ? (score, cursor[(colon + 1)..]) : null;
}
