using System.Text;
using Rampart.Detection;
using Rampart.Detection.Profiles;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;

namespace Rampart.Server.Detection;

/// <summary>
/// The static rules in force: built-in, then the profiles file's, then the API's (stored, audited).
/// A document sent through the API is validated whole before anything changes; names must not repeat
/// a built-in or file rule.
/// </summary>
public sealed class DetectionRules(DetectionEngine engine, DetectionSettings settings, IRuleDocumentStore store, IAuditLog audit)
{
    /// <summary>The rules the API set (kept for listing and for the next start).</summary>
    public IReadOnlyList<StaticRule> ApiRules { get; private set; } = [];

    /// <summary>Loads the stored document at start (it was valid when stored; a rule that now clashes with the file is reported).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (await store.GetAsync(cancellationToken) is { } document)
        {
            ApiRules = Validate(Encoding.UTF8.GetBytes(document));
        }

        Apply();
    }

    /// <summary>Replaces the API's rules with <paramref name="document"/>; returns every rule in force.</summary>
    public async Task<IReadOnlyList<(StaticRule Rule, string Source)>> SetAsync(byte[] document, string actor, CancellationToken cancellationToken)
    {
        var rules = Validate(document);
        var text = Encoding.UTF8.GetString(document);
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

    /// <summary>Every rule in force with where it came from (<c>built-in</c>, <c>file</c>, <c>api</c>).</summary>
    public IReadOnlyList<(StaticRule Rule, string Source)> InForce() =>
        [.. RuleSet.BuiltIn.Select(r => (r, "built-in")), .. settings.FileRules.Select(r => (r, "file")), .. ApiRules.Select(r => (r, "api"))];

    private IReadOnlyList<StaticRule> Validate(byte[] document)
    {
        IReadOnlyList<StaticRule> rules;
        try
        {
            rules = RuleSet.Parse(document);
        }
        catch (RuleSetException exception)
        {
            throw new FleetException(FleetErrorKind.Invalid, exception.Message);
        }

        var clash = rules.Where(r => settings.FileRules.Any(f => f.Name == r.Name)).Select(r => r.Name).ToArray();
        return clash.Length > 0
            ? throw new FleetException(FleetErrorKind.Conflict, $"invalid rules: {string.Join(", ", clash)} already defined in the profiles file")
            : rules;
    }

    private void Apply() => engine.UseRules([.. RuleSet.BuiltIn, .. settings.FileRules, .. ApiRules]);
}
