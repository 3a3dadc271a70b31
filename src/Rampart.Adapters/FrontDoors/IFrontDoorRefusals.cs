namespace Rampart.Adapters.FrontDoors;

/// <summary>
/// Where front doors record refusals before an identity (the MQTT gateway's refusal recorder: one
/// shared budget, <c>gateway.refused</c> events with the same fields), so a scanner is counted the
/// same whichever door it knocks on.
/// </summary>
public interface IFrontDoorRefusals
{
    /// <summary>Counts one refusal; logs and stores it when the budget allows.</summary>
    void Record(string source, string reason, string detail, string? serial = null, string? clientId = null, string? deviceId = null);
}
