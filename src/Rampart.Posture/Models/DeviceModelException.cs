namespace Rampart.Posture.Models;

/// <summary>A model document that is not a valid device model: every problem, each as <c>path: reason</c>.</summary>
public sealed class DeviceModelException(IReadOnlyList<string> problems)
    : Exception("not a valid device model:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
{
    /// <summary>Each problem as <c>/json/pointer: reason</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
