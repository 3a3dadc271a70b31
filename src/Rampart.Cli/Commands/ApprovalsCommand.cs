using System.CommandLine;
using Rampart.Server.Api;

namespace Rampart.Cli.Commands;

/// <summary><c>rampart approvals list|approve|deny</c>: four-eyes requests.</summary>
internal static class ApprovalsCommand
{
    public static Command Create()
    {
        var listTarget = new AdminTarget();
        var status = new Option<string?>("--status") { Description = "pending, executed, failed, denied or expired" };
        var list = listTarget.AddTo(new Command("list", "List requests, newest first.") { status });
        list.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var query = parse.GetValue(status) is { } s ? $"?status={Uri.EscapeDataString(s)}" : string.Empty;
            foreach (var approval in await listTarget.SendAsync<ApprovalResponse[]>(parse, HttpMethod.Get, "api/v1/approvals" + query, cancellationToken))
            {
                Console.WriteLine($"{approval.Id,6} {approval.Status,-9} {approval.Operation,-26} by {approval.RequestedBy,-16} {approval.Summary}" +
                    (approval.DecidedBy is null ? $" (until {approval.Expires:u})" : $" — {approval.DecidedBy}: {approval.Result}"));
            }

            return 0;
        }));

        return new Command("approvals", "Four-eyes requests.") { list, Decide("approve", "Approve a request (a second person with its permission); it is carried out at once."), Decide("deny", "Deny a request.") };
    }

    private static Command Decide(string verb, string description)
    {
        var target = new AdminTarget();
        var id = new Argument<long>("ID");
        var reason = new Option<string?>("--reason") { Description = "Why (deny)" };
        var command = target.AddTo(new Command(verb, description) { id, reason });
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var decided = await target.SendAsync<ApprovalResponse>(parse, HttpMethod.Post, $"api/v1/approvals/{parse.GetValue(id)}/{verb}", cancellationToken,
                verb == "deny" ? new DenyRequest(parse.GetValue(reason)) : null);
            Console.WriteLine($"approval {decided.Id}: {decided.Status}{(decided.Result is null ? string.Empty : " — " + decided.Result)}");
            return 0;
        }));
        return command;
    }
}
