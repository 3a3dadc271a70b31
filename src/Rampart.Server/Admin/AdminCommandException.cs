namespace Rampart.Server.Admin;

/// <summary>An admin command failed; the message is for the person who ran it.</summary>
public sealed class AdminCommandException : Exception
{
    public AdminCommandException()
    {
    }

    public AdminCommandException(string message)
        : base(message)
    {
    }

    public AdminCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
