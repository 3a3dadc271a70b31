using Rampart.Detection.Detectors;

namespace Rampart.Detection.Response;

/// <summary>
/// Response policy (configuration section <c>Rampart:Detection:Response</c>): rules "on an alert from
/// these detectors at this severity or more, do this", and the guard rail that keeps an attacker from
/// turning the response into a mass denial of service.
/// </summary>
public sealed class ResponseOptions
{
    /// <summary>Rules, first match wins. Default: quarantine on any high or critical alert; notify otherwise.</summary>
    public List<ResponseRule> Rules { get; set; } = [];

    /// <summary>Automatic containments (quarantine, disconnect, revoke) allowed per <see cref="Period"/>; beyond, actions wait for a person. Default 5.</summary>
    public int MaxAutomaticContainments { get; set; } = 5;

    /// <summary>The guard rail's sliding period; default 10 minutes.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Severities with a budget of their own per <see cref="Period"/> (e.g. <c>{"Critical": 10}</c>):
    /// alerts of a listed severity draw only from it, the others share <see cref="MaxAutomaticContainments"/>.
    /// Default: none (one shared budget).
    /// </summary>
    public Dictionary<AlertSeverity, int> MaxAutomaticContainmentsBySeverity { get; set; } = [];

    /// <summary>The least alert severity at which a <c>Revoke</c> rule revokes on its own (within the budget); below it, a four-eyes request is filed. Default critical.</summary>
    public AlertSeverity AutomaticRevokeMinimumSeverity { get; set; } = AlertSeverity.Critical;

    /// <summary>The limits the <c>TightenLimits</c> action sets.</summary>
    public TightenedLimitsOptions Tightened { get; set; } = new();

    /// <summary>The rules in force (the default when none are configured).</summary>
    public IReadOnlyList<ResponseRule> Effective => Rules.Count > 0 ? Rules : [new ResponseRule { Detectors = ["*"], MinimumSeverity = AlertSeverity.High, Action = ResponseAction.Quarantine }];

    public IEnumerable<string> Problems()
    {
        if (MaxAutomaticContainments is < 0 or > 10_000)
        {
            yield return "Detection:Response:MaxAutomaticContainments must be 0 to 10,000";
        }

        if (Period < TimeSpan.FromSeconds(1) || Period > TimeSpan.FromDays(1))
        {
            yield return "Detection:Response:Period must be 1 s to 1 day";
        }

        foreach (var (severity, limit) in MaxAutomaticContainmentsBySeverity)
        {
            if (limit is < 0 or > 10_000)
            {
                yield return $"Detection:Response:MaxAutomaticContainmentsBySeverity:{severity} must be 0 to 10,000";
            }
        }

        if (Tightened.ToOverride().Problem() is { } tightened)
        {
            yield return $"Detection:Response:Tightened: {tightened}";
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            if (Rules[i].Detectors.Count == 0 || Rules[i].Detectors.Any(d => d.Length is 0 or > 128))
            {
                yield return $"Detection:Response:Rules:{i}:Detectors must name at least one detector (or \"*\"; \"rule.*\" matches a prefix)";
                continue;
            }

            // First match wins: a later rule that an earlier one covers entirely, with another action, is a
            // contradiction in the policy (the operator meant it to act, and it never would).
            for (var earlier = 0; earlier < i; earlier++)
            {
                if (Rules[earlier].Action != Rules[i].Action && Rules[earlier].Covers(Rules[i]))
                {
                    yield return $"Detection:Response:Rules:{i} ({Rules[i].Action} from {Rules[i].MinimumSeverity} on {string.Join(", ", Rules[i].Detectors)}) never applies: " +
                        $"Rules:{earlier} ({Rules[earlier].Action} from {Rules[earlier].MinimumSeverity} on {string.Join(", ", Rules[earlier].Detectors)}) matches every alert it would, and the first match wins";
                    break;
                }
            }
        }
    }
}

/// <summary>One response rule.</summary>
public sealed class ResponseRule
{
    /// <summary>Detector names; <c>*</c> is every detector, a trailing <c>*</c> a prefix (<c>sequence.*</c>).</summary>
    public List<string> Detectors { get; set; } = [];

    /// <summary>The least severity the rule acts on.</summary>
    public AlertSeverity MinimumSeverity { get; set; } = AlertSeverity.High;

    public ResponseAction Action { get; set; } = ResponseAction.Notify;

    /// <summary>True when every alert <paramref name="later"/> matches, this rule matches too.</summary>
    public bool Covers(ResponseRule later) =>
        MinimumSeverity <= later.MinimumSeverity && later.Detectors.All(pattern => Detectors.Any(mine => Includes(mine, pattern)));

    public bool Matches(string detector, AlertSeverity severity) =>
        severity >= MinimumSeverity && Detectors.Any(d => d == "*" || d == detector || (d.EndsWith('*') && detector.StartsWith(d[..^1], StringComparison.Ordinal)));

    // Whether pattern `mine` matches every detector pattern `other` matches.
    private static bool Includes(string mine, string other) =>
        mine == "*" || mine == other || (mine.EndsWith('*') && other.StartsWith(mine[..^1], StringComparison.Ordinal));
}
