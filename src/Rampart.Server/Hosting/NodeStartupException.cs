namespace Rampart.Server.Hosting;

/// <summary>The node cannot start; the message says why and what to do, in words for the person who ran it.</summary>
public sealed class NodeStartupException : Exception
{
    public NodeStartupException()
    {
    }

    public NodeStartupException(string message)
        : base(message)
    {
    }

    public NodeStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
