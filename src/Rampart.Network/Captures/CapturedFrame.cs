namespace Rampart.Network.Captures;

/// <summary>
/// One frame of a capture: its link type (the tcpdump.org LINKTYPE_ value), when it was captured, the
/// bytes captured (valid until the reader moves on) and the frame's length on the wire.
/// </summary>
public readonly record struct CapturedFrame(int LinkType, DateTimeOffset Time, ReadOnlyMemory<byte> Data, int WireLength);
