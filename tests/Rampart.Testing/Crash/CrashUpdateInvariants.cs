namespace Rampart.Testing.Crash;

/// <summary>
/// The invariants of releases and rollouts (issue 13): each row and each state it is in has the
/// audit entry that put it there, and no such entry names a row that is not there. Queries over the
/// node's database, read by <see cref="CrashInvariants"/>; each must return nothing.
/// </summary>
internal static class CrashUpdateInvariants
{
    // A rollout's state changes counted from its entries: how many times it was paused and resumed.
    private const string Moves =
        "(SELECT COUNT(*) FROM audit_entries a WHERE a.action = 'rollout.paused' AND a.target = 'rollout:' || r.id) - " +
        "(SELECT COUNT(*) FROM audit_entries a WHERE a.action = 'rollout.resumed' AND a.target = 'rollout:' || r.id)";

    public static (string Invariant, string Query)[] Checks { get; } =
    [
        ("every release has its release.added audit entry",
            "SELECT id FROM releases r WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'release.added' AND a.target = 'release:' || r.id)"),
        ("every release.added audit entry has its release",
            "SELECT target FROM audit_entries a WHERE action = 'release.added' AND NOT EXISTS (SELECT 1 FROM releases r WHERE 'release:' || r.id = a.target)"),
        ("every release in production has its release.promoted audit entry",
            "SELECT id FROM releases r WHERE status = 'production' AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'release.promoted' AND a.target = 'release:' || r.id)"),
        ("every release.promoted audit entry has its release in production",
            "SELECT target FROM audit_entries a WHERE action = 'release.promoted' AND NOT EXISTS " +
            "(SELECT 1 FROM releases r WHERE 'release:' || r.id = a.target AND r.status = 'production')"),
        ("every rollout has its rollout.created audit entry",
            "SELECT id FROM rollouts r WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'rollout.created' AND a.target = 'rollout:' || r.id)"),
        ("every rollout.created audit entry has its rollout",
            "SELECT target FROM audit_entries a WHERE action = 'rollout.created' AND NOT EXISTS (SELECT 1 FROM rollouts r WHERE 'rollout:' || r.id = a.target)"),
        ("every planned rollout has its device rows",
            "SELECT id FROM rollouts r WHERE NOT EXISTS (SELECT 1 FROM rollout_devices d WHERE d.rollout_id = r.id)"),
        ("every paused rollout was paused once more than resumed, every running one as often",
            $"SELECT id FROM rollouts r WHERE (state = 'paused' AND {Moves} <> 1) OR (state = 'running' AND {Moves} <> 0)"),
        ("every ended rollout has the audit entry of its end",
            "SELECT id FROM rollouts r WHERE state IN ('cancelled', 'aborted', 'completed') AND NOT EXISTS " +
            "(SELECT 1 FROM audit_entries a WHERE a.action = 'rollout.' || r.state AND a.target = 'rollout:' || r.id)"),
        ("every rollout's open wave has its rollout.wave-started audit entry",
            "SELECT id FROM rollouts r WHERE current_wave > 0 AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'rollout.wave-started' " +
            "AND a.target = 'rollout:' || r.id AND json_extract(a.details, '$.wave') = CAST(r.current_wave AS TEXT))"),
        ("every device result in a rollout has its audit entry (withdrawals are recorded with the rollout's end)",
            "SELECT d.device_id FROM rollout_devices d WHERE d.state IN ('succeeded', 'failed', 'rolled-back') AND (d.detail IS NULL OR d.detail NOT LIKE 'withdrawn%') " +
            "AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.action = 'rollout.device-' || d.state AND a.target = 'device:' || d.device_id " +
            "AND json_extract(a.details, '$.rollout') = CAST(d.rollout_id AS TEXT))"),
    ];
}
