using System.CommandLine;
using Rampart.Fleet.Errors;
using Rampart.Fleet.Inventory;
using Rampart.Server.Admin;

namespace Rampart.Cli.Commands;

/// <summary>
/// A device id on the command line, checked before anything is sent: an id the rule refuses (such
/// as <c>.</c> or <c>..</c>, which URL normalisation would turn into another path) gets one clear
/// line, quoted inertly, instead of a request to the wrong endpoint.
/// </summary>
internal static class DeviceIdArgument
{
    public static Argument<string> Create(string? description = null) =>
        new("ID") { Description = description ?? "Device id: " + DeviceIds.Rule };

    /// <summary>
    /// The id, or an <see cref="AdminCommandException"/> (exit code 2) naming the rule. A new id
    /// (<paramref name="forNewDevice"/>) must follow the current rule; one naming an existing device
    /// may follow the earlier one (<see cref="DeviceIds.CanName"/>).
    /// </summary>
    public static string ValueOf(ParseResult parse, Argument<string> argument, bool forNewDevice = false)
    {
        var value = parse.GetValue(argument);
        var valid = forNewDevice ? DeviceIds.IsValid(value) : DeviceIds.CanName(value);
        return valid ? value! : throw new AdminCommandException($"'{Echo.Of(value)}' is not a device id: {DeviceIds.Rule}");
    }
}
