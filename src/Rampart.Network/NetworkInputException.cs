namespace Rampart.Network;

/// <summary>A capture file or flow export that is malformed or exceeds a limit; the message says where and why.</summary>
public sealed class NetworkInputException(string message) : Exception(message);
