using Rampart.Mqtt.Protocol;

namespace Rampart.Mqtt.Broker;

/// <summary>
/// Acknowledgements that wait for a durable fabric (issue 15, durable QoS 1 across nodes): a PUBACK or
/// PUBREC goes out only once the fabric stored the message, in the order the PUBLISH packets came
/// ([MQTT-4.6.0-2]: acknowledgements in the order received), without holding up the read loop.
/// </summary>
internal sealed partial class MqttConnection
{
    private Task _acknowledging = Task.CompletedTask;

    private void Acknowledge(MqttPacketType kind, ushort packetId, MqttReasonCode code, Task? durable)
    {
        // Called only from the read loop, so _acknowledging needs no lock.
        if ((durable is null || durable.IsCompletedSuccessfully) && _acknowledging.IsCompleted)
        {
            Send(Outbound.Acknowledge(kind, packetId, code));
            return;
        }

        _acknowledging = AcknowledgeAfterAsync(_acknowledging, durable, kind, packetId, code);
    }

    private async Task AcknowledgeAfterAsync(Task previous, Task? durable, MqttPacketType kind, ushort packetId, MqttReasonCode code)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            if (durable is not null)
            {
                await durable;
            }
        }
        catch (Exception)
        {
            // Not stored durably: no acknowledgement. The connection ends, and the client sends the
            // message again when it reconnects (§4.4); a subscriber may see it twice, never not at all.
            Close(MqttReasonCode.UnspecifiedError, "the cluster could not store the message durably; publish it again");
            return;
        }

        Send(Outbound.Acknowledge(kind, packetId, code));
    }
}
