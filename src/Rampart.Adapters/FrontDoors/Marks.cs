using Rampart.Mqtt.Packets;

namespace Rampart.Adapters.FrontDoors;

/// <summary>
/// MQTT 5.0 user properties (§3.3.2.3.7) every message from a front door carries, so a consumer can
/// tell how a report arrived and weigh a legacy device's report accordingly. The broker forwards user
/// properties unchanged; MQTT 3.1.1 subscribers do not receive them (docs/adapters.md).
/// </summary>
public static class Marks
{
    /// <summary>Which front door the message came through.</summary>
    public const string FrontDoor = "rampart-front-door";

    /// <summary>Present (value <c>true</c>) on every message from a device registered as legacy.</summary>
    public const string Legacy = "rampart-legacy-device";

    private static readonly UserProperty[] CoapMarks = [new(FrontDoor, FrontDoorNames.Coap)];
    private static readonly UserProperty[] HttpsMarks = [new(FrontDoor, FrontDoorNames.Https)];
    private static readonly UserProperty[] LegacyMarks = [new(FrontDoor, FrontDoorNames.Legacy), new(Legacy, "true")];

    /// <summary>The marks for a message through <paramref name="frontDoor"/>.</summary>
    public static IReadOnlyList<UserProperty> For(string frontDoor, bool legacy) =>
        legacy ? LegacyMarks : frontDoor == FrontDoorNames.Coap ? CoapMarks : HttpsMarks;
}
