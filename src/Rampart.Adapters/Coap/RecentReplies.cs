namespace Rampart.Adapters.Coap;

/// <summary>
/// RFC 7252 §4.5: the recent message ids of a session with the responses they got, so a retransmitted
/// CON gets the same ACK and is not acted on twice. Bounded: the oldest is forgotten first.
/// </summary>
internal sealed class RecentReplies(int capacity)
{
    private readonly Queue<(ushort Id, byte[] Response)> _recent = new();

    /// <summary>The response remembered for <paramref name="messageId"/>, or null when it is new.</summary>
    public byte[]? Find(ushort messageId)
    {
        lock (_recent)
        {
            foreach (var (id, response) in _recent)
            {
                if (id == messageId)
                {
                    return response;
                }
            }
        }

        return null;
    }

    public void Remember(ushort messageId, byte[] response)
    {
        lock (_recent)
        {
            if (_recent.Count == capacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue((messageId, response));
        }
    }
}
