// Rampart nodes run on Linux (Unix sockets, file modes, SO_PEERCRED); Windows is not a target.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
