using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;

namespace Rampart.Fleet.Certificates;

/// <summary>Revoking the certificates of many devices at once: above a threshold, a four-eyes operation.</summary>
public sealed class BulkRevocation(RevocationService revocation) : IApprovableOperation
{
    /// <summary>What is revoked, as a request payload.</summary>
    public sealed record Request(IReadOnlyList<string> DeviceIds, string Reason);

    /// <inheritdoc />
    public string Name => "certificates.bulk-revoke";

    /// <inheritdoc />
    public string Permission => Operators.Permissions.CertsRevoke;

    /// <summary>Revokes now (below the threshold, or once approved).</summary>
    public async Task<IReadOnlyList<string>> RevokeAsync(Request request, string actor, CancellationToken cancellationToken)
    {
        if (!RevocationReasons.TryParse(request.Reason, out var reason))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"unknown reason '{Echo.Of(request.Reason)}'");
        }

        var revoked = new List<string>();
        foreach (var device in request.DeviceIds.Distinct(StringComparer.Ordinal))
        {
            revoked.AddRange(await revocation.RevokeSubjectAsync("device", device, reason, actor, cancellationToken));
        }

        return revoked;
    }

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<Request>(payload, JsonSerializerOptions.Web) ?? throw new FleetException(FleetErrorKind.Invalid, "empty payload");
        var revoked = await RevokeAsync(request, $"{requestedBy}+{approvedBy}", cancellationToken);
        return $"revoked {revoked.Count} certificates of {request.DeviceIds.Count} devices";
    }

    /// <summary>Validates a request before it is filed or run.</summary>
    public static void Validate(Request request)
    {
        if (request.DeviceIds is not { Count: > 0 and <= 10_000 } || request.DeviceIds.Any(id => !Inventory.DeviceIds.CanName(id)))
        {
            throw new FleetException(FleetErrorKind.Invalid, "deviceIds must hold 1 to 10,000 valid device ids");
        }

        if (!RevocationReasons.TryParse(request.Reason, out X509RevocationReason _))
        {
            throw new FleetException(FleetErrorKind.Invalid, $"unknown reason '{Echo.Of(request.Reason)}'; one of: {string.Join(", ", RevocationReasons.Names)}");
        }
    }
}
