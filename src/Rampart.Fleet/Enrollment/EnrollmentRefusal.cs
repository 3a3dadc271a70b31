namespace Rampart.Fleet.Enrollment;

/// <summary>Why an enrollment was refused: a kind (the HTTP status), a stable code and a message for the device.</summary>
/// <param name="ClaimedDeviceId">The device the request claimed to be, for rate limiting and events (not proven).</param>
public sealed record EnrollmentRefusal(EnrollmentRefusalKind Kind, string Code, string Message, string? ClaimedDeviceId = null, TimeSpan? RetryAfter = null);
