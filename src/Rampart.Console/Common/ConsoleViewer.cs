using Rampart.Fleet.Operators;

namespace Rampart.WebConsole.Common;

/// <summary>
/// Who is looking at a page: the operator (null on the sign-in and setup pages) and the antiforgery
/// request token the page's script sends with every state change (the API's own check, X-XSRF-TOKEN).
/// </summary>
public sealed record ConsoleViewer(OperatorIdentity? Identity, string AntiforgeryToken)
{
    /// <summary>True when the viewer holds <paramref name="permission"/>: pages show an action only then (the API refuses it anyway).</summary>
    public bool Can(string permission) => Identity?.Has(permission) == true;
}
