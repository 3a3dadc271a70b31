namespace Rampart.Fleet.Approvals;

/// <summary>Four-eyes settings (section <c>Rampart:Approvals</c>).</summary>
public sealed class ApprovalOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Rampart:Approvals";

    /// <summary>How long a request waits for a second person.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Revoking the certificates of more than this many devices at once needs approval.</summary>
    public int BulkRevocationThreshold { get; set; } = 10;
}
