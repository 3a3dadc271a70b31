namespace Rampart.Posture.Evidence;

/// <summary>The last posture each device reported (kept so audits and baselines judge it after a restart too).</summary>
public interface IPostureReportStore
{
    /// <summary>Records the reports, each replacing its device's previous one (a report older than the stored one is ignored).</summary>
    Task RecordAsync(IReadOnlyList<ReportedPosture> reports, CancellationToken cancellationToken);

    /// <summary>Every device's last report.</summary>
    Task<IReadOnlyList<ReportedPosture>> ListAsync(CancellationToken cancellationToken);
}
