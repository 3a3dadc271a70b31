using static Rampart.Privacy.Classification.DataClass;

namespace Rampart.Privacy.Classification;

/// <summary>
/// Every field Rampart stores, classified in one place (GDPR art. 30 record of processing). A column
/// the live schema has and this list does not is reported by the inventory as unclassified, never
/// hidden. Retention names a key of <see cref="Retention.RetentionPolicy"/> where a job enforces it.
/// </summary>
public static class StoredData
{
    private const string Database = "node database (SQLite rampart.db, or PostgreSQL when scaled out)";
    private const string ArchiveStore = "each region's own archive store (archive-{region}.db, or schema archive_{region} on PostgreSQL), never the node database";
    private const string WhileDevice = "while the device is in the inventory";
    private const string Forever = "kept for the life of the node (evidence, append-only)";

    /// <summary>Every stored field.</summary>
    public static IReadOnlyList<HeldField> Fields { get; } =
    [
        .. Table("audit_entries", "evidence of every state change (art. 5(2) accountability, art. 32)", Forever,
            operational: ["seq", "time_ms", "action", "target", "outcome", "prev_hash", "hash"], personal: ["actor", "details"]),
        .. Table("audit_checkpoints", "signed checkpoints of the audit chain", Forever, operational: ["seq", "entry_hash", "time_ms", "key_id", "signature"]),
        .. Table("setup_tokens", "first administrator setup (hashes only)", "until used or expired", operational: ["id", "token_hash", "created_ms", "expires_ms", "consumed_ms", "revoked_ms"]),
        .. Table("node_settings", "node settings", "for the life of the node", operational: ["key", "value"]),
        .. Table("devices", "the inventory", WhileDevice,
            operational: ["id", "model", "vendor", "hardware_rev", "firmware_version", "zone", "tags", "state", "support_until", "created_ms", "updated_ms"], personal: ["site"]),
        .. Table("certificates", "device and service identities", "until expiry plus the CRL's life", operational: ["serial", "profile", "subject", "key_sha256", "not_before_ms", "not_after_ms", "revoked_ms", "revocation_reason", "der"]),
        .. Table("bootstrap_tokens", "enrollment (hashes only)", "until used or expired", operational: ["id", "device_id", "token_hash", "created_ms", "expires_ms", "used_ms", "revoked_ms"]),
        .. Table("crls", "revocation lists", "until superseded", operational: ["number", "this_update_ms", "next_update_ms", "der"]),
        .. Table("vendor_trust", "manufacturer CAs", "until removed", operational: ["fingerprint", "name", "der", "added_ms"]),
        .. Table("security_events", "security monitoring (art. 32); addresses (source and in details) are personal data: sealed with the subject's key, or the device's own before it is linked; in clear only for events of no device", "security-events",
            operational: ["id", "time_ms", "kind", "severity", "device_id"], personal: ["source", "details"]),
        .. Table("users", "operator accounts", "until the account is removed",
            operational: ["role", "sites", "zones", "activated", "disabled", "failed_logins", "locked_until_ms", "last_totp_step", "created_ms"], personal: ["name"],
            sensitive: ["password_hash"], encrypted: ["totp_sealed"]),
        .. Table("invitations", "operator invitations", "invitations",
            operational: ["id", "token_hash", "role", "sites", "zones", "expires_ms", "used_ms"], personal: ["user_name", "invited_by"]),
        .. Table("api_tokens", "operator automation tokens (hashes only)", "until revoked or expired",
            operational: ["id", "name", "token_hash", "scopes", "created_ms", "expires_ms", "revoked_ms"], personal: ["user_name"]),
        .. Table("approvals", "four-eyes requests", "approvals",
            operational: ["id", "operation", "summary", "payload", "permission", "requested_ms", "expires_ms", "status", "decided_ms", "result"], personal: ["requested_by", "decided_by"]),
        .. Table("releases", "firmware releases", "for the life of the node",
            operational: ["id", "model", "version", "svn", "hardware", "image_target", "manifest_target", "image_sha256", "image_length", "sbom_sha256", "status", "created_ms", "promoted_ms"],
            personal: ["created_by", "promoted_by"]),
        .. Table("rollouts", "staged rollouts", "for the life of the node",
            operational: ["id", "release_id", "selector", "policy", "state", "reason", "current_wave", "wave_count", "created_ms", "updated_ms"], personal: ["created_by"]),
        .. Table("rollout_devices", "rollout progress per device", "for the life of the node", operational: ["rollout_id", "device_id", "position", "wave", "state", "detail", "notified_ms", "updated_ms"]),
        .. Table("device_firmware", "what each device runs", WhileDevice, operational: ["device_id", "version", "svn", "reported_ms"]),
        .. Table("alerts", "detection alerts", "for the life of the node",
            operational: ["id", "device_id", "detector", "severity", "state", "summary", "evidence", "first_seen_ms", "last_seen_ms", "occurrences", "suppressed_until_ms", "reason", "changed_ms", "response"],
            personal: ["changed_by"]),
        .. Table("detection_rules", "detection rules", "until replaced", operational: ["id", "document", "updated_ms"], personal: ["updated_by"]),
        .. Table("export_cursors", "SIEM export progress", "for the life of the node", operational: ["source", "position"]),
        .. Table("export_destinations", "SIEM export status", "for the life of the node",
            operational: ["name", "delivered", "dropped", "failed_attempts", "next_attempt_ms", "last_error", "last_error_ms", "last_delivered_ms"]),
        .. Table("export_outbox", "events waiting for a SIEM (hold source addresses)", "until delivered, or dropped past the export's age bound",
            operational: ["id", "destination", "record_id", "enqueued_ms"], personal: ["payload"]),
        .. Table("export_leases", "which node delivers each SIEM destination", "for the life of the node", operational: ["destination", "holder", "expires_ms"]),
        .. Table("lms_state", "each firmware LMS key's next unused one-time key, shared by the cluster", "for the life of the key", operational: ["key_id", "next_leaf"]),
        .. Table("tuf_files", "the cluster's TUF repository: signed metadata and firmware targets", "until a release's targets are removed; metadata versions for the life of the repository",
            operational: ["path", "sha256", "content"]),
        .. Table("schema_migrations", "which migrations the database has", "for the life of the node", operational: ["version", "name", "checksum", "applied_ms"]),
        .. Table("privacy_subjects", "data subjects (persons, households); the subject id is stored only as a keyed pseudonym", "until erased",
            operational: ["created_ms"], personal: ["pseudonym", "region"], encrypted: ["sealed"]),
        .. Table("privacy_subject_keys", "each subject's data key, wrapped by the key-encryption key", "until erased (crypto-shredding)",
            operational: ["pseudonym", "kek_version"], encrypted: ["wrapped_key"]),
        .. Table("privacy_subject_devices", "which devices belong to which subject", "until erased", operational: ["device_id"], personal: ["pseudonym"]),
        .. Table("privacy_consents", "consents per purpose (art. 7(1): the controller can show consent)", "until erased; withdrawn ones: consents-withdrawn",
            operational: ["purpose", "granted", "changed_ms"], personal: ["pseudonym"]),
        .. Table("archive_messages", "the opt-in telemetry archive (forensics), sealed per subject", "archive",
            operational: ["id", "device_id", "family", "time_ms"], personal: ["pseudonym"], encrypted: ["sealed"], where: ArchiveStore),
        .. Table("archive_region", "which region an archive store belongs to", "for the life of the store", operational: ["region"], where: ArchiveStore),
        .. Table("privacy_retention", "retention periods per data category", "for the life of the node", operational: ["category", "days", "changed_ms"]),
        .. Table("behaviour_windows", "closed behaviour windows per device (detection)", "bounded by the detection window retention (1 hour by default)",
            operational: ["device_id", "start_ms", "end_ms", "metrics"]),
        .. Table("mqtt_sessions", "persistent MQTT sessions: subscriptions and queued QoS 1/2 messages (issue 15)", "until the session expires (Rampart:Broker:MaximumSessionExpiry) or a clean start",
            operational: ["client_id", "owner", "node_id", "expires_ms", "updated_ms"], personal: ["state"]),
        .. Table("mqtt_retained", "retained MQTT messages: the last message kept per topic (issue 15)", "until cleared by an empty retained message or the message expires; a clearing is kept one day",
            operational: ["topic_key", "topic", "expires_ms", "set_ms"], personal: ["message"]),
        .. Table("device_baselines", "learned behaviour baselines per device (detection)", "until not saved for the detection baseline retention (30 days by default)",
            operational: ["device_id", "saved_ms", "state"]),
        .. Table("containment_budget", "automatic containments counted against the guard rail", "for the guard rail's period", operational: ["id", "pool", "alert_id", "taken_ms"]),
        .. Table("limit_overrides", "tightened limits per device (detection response)", "until the alert is resolved or the device released",
            operational: ["device_id", "messages_per_second", "message_burst", "bytes_per_second", "byte_burst", "alert_id", "reason", "set_ms"], personal: ["set_by"]),
        .. Table("device_credentials", "CoAP pre-shared keys and legacy secrets (verifiers; the PSK sealed by the node)", "until revoked or rotated",
            operational: ["key_id", "device_id", "kind", "verifier", "issued_ms", "revoked_ms"], encrypted: ["sealed"]),
        .. Table("legacy_devices", "devices registered as legacy (confined adapter path)", WhileDevice,
            operational: ["device_id", "reason", "registered_ms", "replaced_ms"], personal: ["registered_by"]),
        .. Table("sbom_documents", "software bills of materials per release or model", "until replaced",
            operational: ["scope", "sha256", "description", "components", "problem", "stored_ms"], personal: ["stored_by"]),
        .. Table("vex_statements", "VEX statements per release or model", "until replaced", operational: ["scope", "position", "statement", "set_ms"]),
        .. Table("vulnerabilities", "imported vulnerability records (OSV, CVE)", "until re-imported", operational: ["id", "source", "digest", "record", "imported_ms"]),
        .. Table("supply_chain_stamps", "change counters of the vulnerability records (index freshness across nodes)", "for the life of the node", operational: ["name", "version"]),
        .. Table("attestation_nonces", "the last attestation challenges per device (nonce and answer as SHA-256)", "the newest 8 per device",
            operational: ["seq", "device_id", "nonce_sha256", "issued_ms", "second_chance", "answer_sha256", "answered_ms", "unanswered_ms"]),
        .. Table("known_exploited", "CISA's Known Exploited Vulnerabilities catalog (public data)", "until the next catalog import",
            operational: ["cve_id", "vendor", "product", "name", "date_added", "due_date", "ransomware", "required_action"]),
        .. Table("known_exploited_catalog", "the imported KEV catalog's version", "until the next catalog import", operational: ["id", "catalog_version", "date_released", "digest", "imported_ms"]),
        .. Table("exposure_snapshot", "the last exposure computation (to raise events on change)", "until the next import", operational: ["key", "vulnerability", "component", "severity", "devices"]),
        .. Table("posture_models", "device models and their procurement decision", "for the life of the node",
            operational: ["key", "document", "admission", "admitted", "added_ms"], personal: ["added_by"]),
        .. Table("posture_reports", "each device's last posture report", WhileDevice, operational: ["device_id", "firmware_version", "measurement", "listening_ports", "reported_ms"]),
        .. Table("posture_confinements", "automatic and manual confinements", "for the life of the node",
            operational: ["device_id", "reason", "since_ms", "released_ms", "release_reason"], personal: ["confined_by", "released_by"]),
        .. Table("posture_snapshots", "fleet posture over time", "for the life of the node", operational: ["id", "at_ms", "document"]),
        .. Table("fleet_audit_runs", "fleet audit runs and their findings", "for the life of the node", operational: ["id", "started_ms", "finished_ms", "document"]),
        .. Table("fleet_audit_suppressions", "suppressed fleet audit findings", "until the suppression's date",
            operational: ["id", "check_id", "resource", "until_ms", "reason", "created_ms"], personal: ["created_by"]),
        .. Table("audit_checkpoints", "signed checkpoints of the audit chain (ML-DSA-65 signature beside ECDSA)", Forever, operational: ["ml_dsa_65_signature"]),
        .. Table("network_hosts", "the passive network inventory: hosts seen in pcap imports and flow exports (issue 21)", "for the life of the node",
            operational: ["vendor", "device_id", "first_ms", "last_ms", "flows", "bytes", "ports", "protocols", "insecure"], personal: ["address", "mac"]),
        .. Table("network_device_addresses", "the address each registered device last connected from (issue 21)", "for the life of the node",
            operational: ["device_id", "seen_ms"], personal: ["address"]),
        .. Table("adapter_held_commands", "commands held for HTTPS/CoAP devices between their links (issue 21)", "until the device's next link takes them or Adapters:HeldCommandExpiry (1 hour by default)",
            operational: ["device_id", "seq", "topic", "name", "expires_ms"], personal: ["payload"]),
        .. Table("network_bindings", "addresses and MACs bound to devices by hand (issue 21)", "until unbound",
            operational: ["kind", "device_id", "bound_ms"], personal: ["value", "bound_by"]),
        .. Table("device_tags", "the inventory's tags by tag, kept from devices.tags by triggers (issue 22: the console's tag filter)", WhileDevice,
            operational: ["tag", "device_id"]),
        .. Table("device_risk", "each device's risk band from the last fleet audit run (issue 22: the console's risk filter)", "until the next fleet audit run",
            operational: ["device_id", "band", "score", "assessed_ms", "factors"]),
        .. Table("exposure_lines", "the last exposure recompute's lines (issue 22: the console's exposure page)", "until the next exposure recompute",
            operational: ["rank", "scope", "vulnerability", "severity", "known_exploited", "component", "version", "fixed_by", "status"]),
        .. Table("exposure_scopes", "the last exposure recompute's devices and lines per SBOM scope", "until the next exposure recompute",
            operational: ["scope", "devices", "open_lines", "closed_lines"]),
        .. Table("exposure_device_scopes", "which SBOM scopes each device ran at the last exposure recompute", "until the next exposure recompute",
            operational: ["scope", "device_id"]),
        .. Table("exposure_result", "when the stored exposure was computed, and its digest", "until the next exposure recompute", operational: ["id", "computed_ms", "digest"]),
    ];

    private static IEnumerable<HeldField> Table(
        string table, string purpose, string retention, string[] operational, string[]? personal = null, string[]? sensitive = null, string[]? encrypted = null, string where = Database)
    {
        foreach (var column in operational)
        {
            yield return new HeldField(table, column, Operational, purpose, where, retention);
        }

        foreach (var column in personal ?? [])
        {
            yield return new HeldField(table, column, Personal, purpose, where, retention);
        }

        foreach (var column in sensitive ?? [])
        {
            yield return new HeldField(table, column, Sensitive, purpose, where, retention);
        }

        foreach (var column in encrypted ?? [])
        {
            yield return new HeldField(table, column, Sensitive, purpose, where, retention, EncryptedAtRest: true);
        }
    }
}
