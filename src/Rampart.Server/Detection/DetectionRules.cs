using System.Text;
using Microsoft.Extensions.Logging;
using Rampart.Detection;
using Rampart.Detection.Profiles;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Monitoring;

namespace Rampart.Server.Detection;

/// <summary>
/// The static rules in force: built-in, then the profiles file's, then the API's (stored, audited).
/// A document sent through the API is validated whole before anything changes; names must not repeat
/// a built-in or file rule. Changes are serialised, so the rules in force are always the stored ones.
/// </summary>
public sealed partial class DetectionRules(
    DetectionEngine engine, DetectionSettings settings, IRuleDocumentStore store, IAuditLog audit, SecurityEvents events, ILogger<DetectionRules> logger)
{
    private readonly SemaphoreSlim _changing = new(1, 1);

    /// <summary>The rules the API set (kept for listing and for the next start).</summary>
    public IReadOnlyList<StaticRule> ApiRules { get; private set; } = [];

    /// <summary>
    /// Loads the stored document at start. It was valid when stored; an API rule whose name the profiles
    /// file now defines too is left out — the file wins (docs/detection.md, "Rules") — and the clash is
    /// logged and recorded as <c>detection.rules-clash</c>: the node starts either way.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (await store.GetAsync(cancellationToken) is { } document)
        {
            var stored = Parse(Encoding.UTF8.GetBytes(document));
            var clash = Clashes(stored);
            ApiRules = stored.Where(r => !clash.Contains(r.Name)).ToArray();
            if (clash.Length > 0)
            {
                LogRulesClash(logger, string.Join(", ", clash));
                await events.RecordAsync("detection.rules-clash", SecuritySeverity.Warning, null, null,
                    new Dictionary<string, string> { ["rules"] = string.Join(",", clash), ["kept"] = "file" }, cancellationToken);
            }
        }

        Apply();
    }

    /// <summary>Replaces the API's rules with <paramref name="document"/>; returns every rule in force.</summary>
    public async Task<IReadOnlyList<(StaticRule Rule, string Source)>> SetAsync(byte[] document, string actor, CancellationToken cancellationToken)
    {
        var rules = Validate(document);
        var text = Encoding.UTF8.GetString(document);
        // One change at a time from store to engine: two PUTs racing would otherwise leave the last stored
        // document and the rules in memory from different requests.
        await _changing.WaitAsync(cancellationToken);
        try
        {
            await audit.CommitAsync(async (transaction, commit) =>
            {
                await store.SetAsync(transaction, text, actor, commit);
                return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "detection.rules-set", "detection/rules", AuditOutcome.Success,
                    new Dictionary<string, string> { ["rules"] = string.Join(",", rules.Select(r => r.Name)), ["count"] = rules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }, cancellationToken);
            ApiRules = rules;
            Apply();
            return InForce();
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Every rule in force with where it came from (<c>built-in</c>, <c>file</c>, <c>api</c>).</summary>
    public IReadOnlyList<(StaticRule Rule, string Source)> InForce() =>
        [.. RuleSet.BuiltIn.Select(r => (r, "built-in")), .. settings.FileRules.Select(r => (r, "file")), .. ApiRules.Select(r => (r, "api"))];

    private IReadOnlyList<StaticRule> Validate(byte[] document)
    {
        var rules = Parse(document);
        var clash = Clashes(rules);
        return clash.Length > 0
            ? throw new FleetException(FleetErrorKind.Conflict, $"invalid rules: {string.Join(", ", clash)} already defined in the profiles file")
            : rules;
    }

    private static IReadOnlyList<StaticRule> Parse(byte[] document)
    {
        try
        {
            return RuleSet.Parse(document);
        }
        catch (RuleSetException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }
    }

    private string[] Clashes(IReadOnlyList<StaticRule> rules) => rules.Where(r => settings.FileRules.Any(f => f.Name == r.Name)).Select(r => r.Name).ToArray();

    private void Apply() => engine.UseRules([.. RuleSet.BuiltIn, .. settings.FileRules, .. ApiRules]);

    [LoggerMessage(EventId = 14002, Level = LogLevel.Warning, Message = "Stored detection rules {Rules} clash with the profiles file and are left out; the file's rules are in force")]
    private static partial void LogRulesClash(ILogger logger, string rules);
}
