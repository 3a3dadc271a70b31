using System.Globalization;
using System.Text.Json;
using Rampart.Detection.Alerts;
using Rampart.Fleet.Approvals;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Operators;

namespace Rampart.Detection.Response;

/// <summary>
/// A revocation the response did not carry out itself (the guard rail was spent, or the alert's
/// severity is below <see cref="ResponseOptions.AutomaticRevokeMinimumSeverity"/>): filed as a four-eyes
/// request through the node's approvals (issue 14, item 5). Detection files it with the alert as its
/// evidence; a person holding <c>certs:revoke</c> approves or denies it
/// (<c>rampart approvals approve|deny ID</c>), and it expires unanswered like any request. On approval
/// the device's certificates are revoked and the alert says who approved.
/// </summary>
public sealed class HeldRevocation(IContainmentActions actions, AlertService alerts) : IApprovableOperation
{
    /// <summary>The operation's stable name in <c>rampart approvals list</c>.</summary>
    public const string OperationName = "detection.revoke";

    /// <summary>Who files the request: detection, holding only the permission the request needs.</summary>
    public static readonly OperatorIdentity Requester =
        new(AlertService.Actor, "detection", new HashSet<string>(StringComparer.Ordinal) { Permissions.CertsRevoke }, [], []);

    /// <summary>What an approval carries out.</summary>
    public sealed record Request(string DeviceId, long AlertId, string Reason);

    /// <inheritdoc />
    public string Name => OperationName;

    /// <inheritdoc />
    public string Permission => Permissions.CertsRevoke;

    /// <summary>The request's payload.</summary>
    public static string Payload(Request request) => JsonSerializer.Serialize(request, JsonSerializerOptions.Web);

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string payload, string requestedBy, string approvedBy, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<Request>(payload, JsonSerializerOptions.Web) ?? throw new FleetException(FleetErrorKind.Invalid, "empty payload");
        var serials = await actions.RevokeAsync(request.DeviceId, $"{request.Reason} (approved by {approvedBy})", cancellationToken);
        var result = $"revoked {string.Join(", ", serials)} (approved by {approvedBy})";
        await alerts.RecordResponseAsync(request.AlertId, "revoke", result, new Dictionary<string, string>
        {
            ["action"] = "revoke",
            ["approved-by"] = approvedBy,
            ["serials"] = serials.Count.ToString(CultureInfo.InvariantCulture),
        }, cancellationToken);
        return $"revoked {serials.Count} certificates of device {request.DeviceId} for alert {request.AlertId}";
    }
}
