namespace Rampart.Server.Privacy;

/// <summary>A new data subject: its id (any operator-side identifier; stored only sealed), region and personal fields.</summary>
public sealed record SubjectAddRequest(string Subject, string Region, Dictionary<string, string>? Fields);

/// <summary>A subject named by its id.</summary>
public sealed record SubjectRequest(string Subject);

/// <summary>A device to link to a subject.</summary>
public sealed record SubjectDeviceRequest(string Subject, string Device);

/// <summary>A consent given or withdrawn.</summary>
public sealed record ConsentRequest(string Subject, string Purpose, bool Granted);

/// <summary>A subject's pseudonym (what the audit log names it by).</summary>
public sealed record SubjectResponse(string Pseudonym);

/// <summary>The outcome of a KEK rotation.</summary>
public sealed record KekRotationResponse(int Version, int Rewrapped);

/// <summary>A retention period to set.</summary>
public sealed record RetentionRequest(string Category, int Days);

/// <summary>A retention change: applied at once, or waiting for a second person.</summary>
public sealed record RetentionChangeResponse(bool Applied, Rampart.Server.Api.ApprovalResponse? Approval);
