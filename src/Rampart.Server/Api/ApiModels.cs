using Rampart.Fleet.Inventory;

namespace Rampart.Server.Api;

/// <summary>A device as the API shows it.</summary>
public sealed record DeviceResponse(
    string Id, string? Model, string? Vendor, string? HardwareRevision, string? FirmwareVersion, string? Site, string? Zone,
    IReadOnlyList<string> Tags, DeviceState State, DateOnly? SupportUntil, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static DeviceResponse From(Device d) =>
        new(d.Id, d.Model, d.Vendor, d.HardwareRevision, d.FirmwareVersion, d.Site, d.Zone, d.Tags, d.State, d.SupportUntil, d.Created, d.Updated);
}

/// <summary>Body of <c>POST /api/v1/devices</c>.</summary>
public sealed record AddDeviceRequest(
    string Id, string? Model = null, string? Vendor = null, string? HardwareRevision = null, string? Site = null, string? Zone = null,
    IReadOnlyList<string>? Tags = null, DateOnly? SupportUntil = null);

/// <summary>A new bootstrap token: shown once.</summary>
public sealed record BootstrapTokenResponse(string DeviceId, string Token, DateTimeOffset Expires)
{
    // Redacted: a record's generated ToString would print the token into any log or exception message.
    public override string ToString() => $"BootstrapTokenResponse {{ DeviceId = {DeviceId}, Expires = {Expires:O} }}";
}

/// <summary>Answer of <c>POST /api/v1/devices</c>.</summary>
public sealed record AddDeviceResponse(DeviceResponse Device, BootstrapTokenResponse BootstrapToken);

/// <summary>A page of devices; pass <see cref="Next"/> as <c>after</c> for the next page.</summary>
public sealed record DevicePage(IReadOnlyList<DeviceResponse> Items, string? Next);

/// <summary>Body of quarantine and release.</summary>
public sealed record ReasonRequest(string Reason);

/// <summary>Body of <c>POST /api/v1/certificates/revoke</c>: a serial or a device, and an RFC 5280 reason name.</summary>
public sealed record RevokeRequest(string? Serial = null, string? DeviceId = null, string? Reason = null);

/// <summary>What was revoked.</summary>
public sealed record RevokeResponse(IReadOnlyList<string> Revoked);

/// <summary>A certificate as the API shows it.</summary>
public sealed record CertificateResponse(
    string Serial, string Profile, string Subject, string KeySha256, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    bool Revoked, DateTimeOffset? RevokedAt, string? RevocationReason);

/// <summary>Body of <c>POST /api/v1/vendors</c>.</summary>
public sealed record VendorTrustRequest(string Name, string CertificatePem);

/// <summary>A registered manufacturer CA.</summary>
public sealed record VendorTrustResponse(string Name, string Sha256, DateTimeOffset Added);

/// <summary>Body of <c>POST /api/v1/services/{name}/certificates</c>.</summary>
public sealed record ServiceCertificateRequest(string CsrPem);

/// <summary>The service's certificate and the CA chain, PEM.</summary>
public sealed record ServiceCertificateResponse(string CertificatePem, string ChainPem);

/// <summary>Body of <c>POST /api/v1/auth/login</c>; <see cref="Session"/> <c>cookie</c> starts a browser session instead of returning a token.</summary>
public sealed record LoginRequest(string User, string Password, string? Totp = null, string? Session = null)
{
    public override string ToString() => $"LoginRequest {{ User = {User}, Session = {Session} }}";
}

/// <summary>Who is calling and what they may do.</summary>
public sealed record WhoAmI(string Name, string Role, IReadOnlyList<string> Permissions, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones)
{
    public static WhoAmI From(Rampart.Fleet.Operators.OperatorIdentity identity) =>
        new(identity.Name, identity.Role, identity.Permissions.Order(StringComparer.Ordinal).ToArray(), identity.Sites, identity.Zones);
}

/// <summary>A login's token, shown once.</summary>
public sealed record LoginResponse(string Token, DateTimeOffset Expires, WhoAmI User)
{
    public override string ToString() => $"LoginResponse {{ Expires = {Expires:O}, User = {User} }}";
}

/// <summary>The antiforgery token to send with state-changing requests of a browser session.</summary>
public sealed record AntiforgeryResponse(string HeaderName, string Token)
{
    public override string ToString() => $"AntiforgeryResponse {{ HeaderName = {HeaderName} }}";
}

/// <summary>Body of <c>POST /api/v1/users/activate</c>: an invitation (or the setup token with a chosen name) and a password.</summary>
public sealed record ActivateRequest(string Token, string Password, string? Name = null)
{
    public override string ToString() => $"ActivateRequest {{ Name = {Name} }}";
}

/// <summary>The activation: when TOTP is required, its secret is shown here once.</summary>
public sealed record ActivateResponse(string User, string Role, bool Activated, string? TotpUri, string? TotpSecret)
{
    // The URI carries the secret too.
    public override string ToString() => $"ActivateResponse {{ User = {User}, Role = {Role}, Activated = {Activated} }}";
}

/// <summary>Body of <c>POST /api/v1/users/activate/confirm</c>.</summary>
public sealed record ConfirmRequest(string Token, string Code, string? Name = null)
{
    public override string ToString() => $"ConfirmRequest {{ Name = {Name} }}";
}

/// <summary>Body of <c>POST /api/v1/users</c>.</summary>
public sealed record InviteRequest(string Name, string Role, IReadOnlyList<string>? Sites = null, IReadOnlyList<string>? Zones = null);

/// <summary>An invitation, shown once.</summary>
public sealed record InvitationResponse(string User, string Role, string Invitation, DateTimeOffset Expires)
{
    public override string ToString() => $"InvitationResponse {{ User = {User}, Role = {Role}, Expires = {Expires:O} }}";
}

/// <summary>A pending invitation as <c>GET /api/v1/users/invitations</c> lists it (the token is never shown again).</summary>
public sealed record PendingInvitationResponse(long Id, string User, string Role, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones, string InvitedBy,
    DateTimeOffset Expires);

/// <summary>An operator account as the API shows it (never its password hash or TOTP secret).</summary>
public sealed record UserResponse(string Name, string Role, IReadOnlyList<string> Sites, IReadOnlyList<string> Zones, bool Activated, bool Disabled,
    bool TotpEnrolled, DateTimeOffset? LockedUntil, DateTimeOffset Created);

/// <summary>Body of <c>POST /api/v1/tokens</c>.</summary>
public sealed record CreateTokenRequest(string Name, IReadOnlyList<string>? Scopes = null, int LifetimeDays = 90);

/// <summary>A new API token, shown once.</summary>
public sealed record TokenCreatedResponse(long Id, string Name, string Token, IReadOnlyList<string> Scopes, DateTimeOffset Expires)
{
    public override string ToString() => $"TokenCreatedResponse {{ Id = {Id}, Name = {Name}, Scopes = [{string.Join(", ", Scopes ?? [])}], Expires = {Expires:O} }}";
}

/// <summary>An API token as listed (never the token).</summary>
public sealed record TokenResponse(long Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset Created, DateTimeOffset Expires, DateTimeOffset? Revoked);

/// <summary>A four-eyes request.</summary>
public sealed record ApprovalResponse(long Id, string Operation, string Summary, string Permission, string RequestedBy, DateTimeOffset Requested,
    DateTimeOffset Expires, string Status, string? DecidedBy, DateTimeOffset? Decided, string? Result);

/// <summary>Body of deny.</summary>
public sealed record DenyRequest(string? Reason = null);

/// <summary>Body of <c>POST /api/v1/certificates/revoke-bulk</c>.</summary>
public sealed record BulkRevokeRequest(IReadOnlyList<string> DeviceIds, string? Reason = null);

/// <summary>Either what was revoked, or the approval a second person must give first.</summary>
public sealed record BulkRevokeResponse(IReadOnlyList<string>? Revoked, ApprovalResponse? Approval);

/// <summary>A security event.</summary>
public sealed record SecurityEventResponse(long Id, DateTimeOffset Time, string Kind, string Severity, string? DeviceId, string? Source, IReadOnlyDictionary<string, string> Details);

/// <summary>An audit entry.</summary>
public sealed record AuditEntryResponse(long Sequence, DateTimeOffset Time, string Actor, string Action, string Target, string Outcome, string Details);

/// <summary>A page of audit entries; pass <see cref="Next"/> as <c>after</c>.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, long? Next);
