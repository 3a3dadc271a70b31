using Rampart.Posture.Baselines;
using Rampart.Posture.FleetAudit;
using Rampart.Posture.Models;
using Rampart.Posture.Zones;

namespace Rampart.Server.Posture;

/// <summary>A model file as the CLI sends it: its text (YAML or JSON).</summary>
public sealed record ModelFileRequest(string Content);

/// <summary>The procurement gate's verdict on a file (<c>rampart model evaluate</c>).</summary>
public sealed record ModelEvaluation(DeviceModel Model, Admission Admission);

/// <summary>A baseline answer: a device's, or a model's.</summary>
public sealed record BaselineResponse(DeviceBaseline? Device, ModelBaseline? Model);

/// <summary>An audit run and its difference from the previous one.</summary>
public sealed record AuditRunResponse(AuditRun Run, AuditDiff Diff);

/// <summary>A suppression request: a check, optionally one resource, until a time, and why.</summary>
public sealed record SuppressFindingRequest(string Check, string? Resource, DateTimeOffset Until, string Reason);

/// <summary>The zone policy in force and every confinement.</summary>
public sealed record ZonesResponse(ZonePolicy Policy, IReadOnlyList<Confinement> Confinements);

/// <summary>A reason for a confinement or its release.</summary>
public sealed record ConfinementRequest(string Reason);

/// <summary>A move to another inventory zone (<c>rampart zones move DEVICE ZONE --reason WHY</c>).</summary>
public sealed record ZoneMoveRequest(string? Zone, string? Reason);

/// <summary>A device's move between inventory zones: the zone it left (null: none) and the zone it is in now.</summary>
public sealed record ZoneMoveResponse(string DeviceId, string? FromZone, string Zone);

/// <summary>An exported ruleset.</summary>
public sealed record ZoneExportResponse(string Format, string Ruleset);

/// <summary>A rendered posture report: <c>html</c> or <c>pdf</c>, its media type, and its bytes (base64 in JSON).</summary>
public sealed record PostureReportResponse(string Format, string MediaType, byte[] Content);
