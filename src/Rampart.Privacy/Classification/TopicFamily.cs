namespace Rampart.Privacy.Classification;

/// <summary>A family of device topics: <c>devices/{id}/{Path}/…</c>, its class and why devices send it.</summary>
public sealed record TopicFamily(string Name, string Path, DataClass Class, string Purpose)
{
    /// <summary>The families every node knows (the device permission template's publish topics).</summary>
    public static IReadOnlyList<TopicFamily> BuiltIn { get; } =
    [
        // A home's sensor readings say when people are in and what they do: personal unless a family says otherwise.
        new("telemetry", "telemetry", DataClass.Personal, "the readings the device exists to report"),
        new("events", "events", DataClass.Operational, "device events (boots, errors, tamper reports)"),
        new("state", "state", DataClass.Operational, "device state and posture"),
    ];
}
