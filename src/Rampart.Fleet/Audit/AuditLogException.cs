namespace Rampart.Fleet.Audit;

/// <summary>An audit entry could not be made durable; the operation it describes must not report success.</summary>
public sealed class AuditLogException : Exception
{
    public AuditLogException()
    {
    }

    public AuditLogException(string message)
        : base(message)
    {
    }

    public AuditLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
