using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Enrollment;

/// <summary>First enrollment with a bootstrap token: HTTP Basic (user = device id, password = token) or Bearer.</summary>
public sealed class BootstrapTokenAuthorizer(BootstrapTokens tokens, IDeviceStore devices) : IEnrollmentAuthorizer
{
    /// <inheritdoc />
    public bool Handles(EstOperation operation, EstCredentials credentials) =>
        operation == EstOperation.Enroll && credentials.Secret is not null;

    /// <inheritdoc />
    public async Task<(EnrollmentGrant? Grant, EnrollmentRefusal? Refusal)> AuthorizeAsync(
        EstOperation operation, EstCredentials credentials, CancellationToken cancellationToken)
    {
        var record = await tokens.FindUsableAsync(credentials.Secret, cancellationToken);
        if (record is null)
        {
            return (null, new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "bad-token",
                "unknown, used, revoked or expired bootstrap token; ask an operator for a new one (rampart device token ID)", credentials.UserName));
        }

        if (credentials.UserName is { } claimed && !string.Equals(claimed, record.DeviceId, StringComparison.Ordinal))
        {
            return (null, new EnrollmentRefusal(EnrollmentRefusalKind.Unauthenticated, "token-for-another-device",
                $"this bootstrap token is not for device {claimed}", claimed));
        }

        var refusal = DeviceStates.RefuseUnlessEnrollable(await devices.GetAsync(record.DeviceId, cancellationToken), record.DeviceId, firstEnrollment: true);
        return refusal is not null
            ? (null, refusal)
            : (new EnrollmentGrant(record.DeviceId, "bootstrap-token", (transaction, commit) => tokens.TryUseAsync(transaction, record, commit)), null);
    }
}
