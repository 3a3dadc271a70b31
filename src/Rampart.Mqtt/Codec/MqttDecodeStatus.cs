namespace Rampart.Mqtt.Codec;

/// <summary>What one decode attempt found.</summary>
public enum MqttDecodeStatus
{
    /// <summary>The buffer holds less than one whole packet: read more and try again.</summary>
    NeedMoreData,

    /// <summary>One packet was decoded.</summary>
    Complete,

    /// <summary>The bytes break a rule of the protocol; the connection must close with the error's reason code.</summary>
    Malformed,
}
