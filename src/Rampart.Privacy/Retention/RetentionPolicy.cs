using System.Globalization;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Audit;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;

namespace Rampart.Privacy.Retention;

/// <summary>
/// Retention per data category (GDPR art. 5(1)(e) storage limitation; CPRA §1798.100(a)(3)): the
/// period in force is the one set at run time, else the setting, else the default. Lengthening a
/// period is one operator's change; shortening it deletes data sooner and needs a second person
/// (four-eyes, <see cref="OperationName"/>).
/// </summary>
public sealed class RetentionPolicy(IRetentionStore store, IAuditLog audit, PrivacyOptions options) : IApprovableOperation
{
    /// <summary>The four-eyes operation that shortens a period.</summary>
    public const string OperationName = "privacy.shorten-retention";

    /// <summary>Longest period one can set (100 years).</summary>
    public const int MaxDays = 36_500;

    /// <summary>The telemetry archive's category (enforced in each region's store, not the node's database).</summary>
    public const string ArchiveCategory = "archive";

    private const int ArchiveCategoryDefaultDays = 90;

    /// <summary>Categories and their default periods in days.</summary>
    public static IReadOnlyDictionary<string, int> Categories { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["security-events"] = 365,
        ["invitations"] = 30,
        ["approvals"] = 365,
        ["consents-withdrawn"] = 365,
        ["archive"] = ArchiveCategoryDefaultDays,
    };

    /// <inheritdoc />
    public string Name => OperationName;

    /// <inheritdoc />
    public string Permission => Permissions.SystemWrite;

    /// <summary>The period in force per category.</summary>
    public async Task<IReadOnlyDictionary<string, int>> PeriodsAsync(CancellationToken cancellationToken)
    {
        var set = await store.PeriodsAsync(cancellationToken);
        return Categories.ToDictionary(c => c.Key, c => set.TryGetValue(c.Key, out var days) ? days : options.Retention.GetValueOrDefault(c.Key, c.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// Sets a period: lengthening (or keeping) it applies at once and returns null; shortening files a
    /// four-eyes request and returns it.
    /// </summary>
    public async Task<Approval?> SetAsync(string category, int days, OperatorIdentity requester, ApprovalService approvals, CancellationToken cancellationToken)
    {
        Check(category, days);
        var current = (await PeriodsAsync(cancellationToken))[category];
        if (days < current)
        {
            return await approvals.RequestAsync(OperationName, $"{category}={days.ToString(CultureInfo.InvariantCulture)}",
                $"shorten retention of {category} from {current} to {days} days", requester, cancellationToken);
        }

        await ApplyAsync(category, days, requester.Name, null, cancellationToken);
        return null;
    }

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var separator = payload.IndexOf('=');
        var category = separator > 0 ? payload[..separator] : payload;
        var days = separator > 0 && int.TryParse(payload.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        Check(category, days);
        await ApplyAsync(category, days, approvedBy, requestedBy, cancellationToken);
        return $"retention of {category} is {days} days";
    }

    private async Task ApplyAsync(string category, int days, string actor, string? requestedBy, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["category"] = category, ["days"] = days.ToString(CultureInfo.InvariantCulture) };
        if (requestedBy is not null)
        {
            details["requested-by"] = requestedBy;
        }

        await audit.CommitAsync(async (transaction, commit) =>
        {
            await store.SetPeriodAsync(transaction, category, days, commit);
            return AuditedOutcome<bool>.Done(true, new AuditRecord(actor, "privacy.retention-set", "privacy/retention/" + category, AuditOutcome.Success, details));
        }, cancellationToken);
    }

    private static void Check(string category, int days)
    {
        if (!Categories.ContainsKey(category))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"unknown retention category {Echo.Of(category)}; one of: {string.Join(", ", Categories.Keys)}");
        }

        if (days is < 1 or > MaxDays)
        {
            throw new FleetException(FleetErrorKind.Invalid, $"a retention period is 1 to {MaxDays} days");
        }
    }
}
