namespace Rampart.Fleet.Errors;

/// <summary>An operation was refused for a reason the caller can act on; the kind maps to an HTTP status.</summary>
public sealed class FleetException : Exception
{
    public FleetException()
    {
    }

    public FleetException(string message)
        : base(message)
    {
    }

    public FleetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FleetException(FleetErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>What kind of refusal this is.</summary>
    public FleetErrorKind Kind { get; } = FleetErrorKind.Invalid;
}
