namespace Rampart.Server.Gateway;

/// <summary>
/// The MQTT listener's cap on connections open at once from all sources together (threat model,
/// "Bounded resources"): a botnet spread over many addresses passes the per-source cap but not this.
/// </summary>
public sealed class ConnectionCap(int maximum)
{
    private int _open;

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>The cap.</summary>
    public int Maximum { get; } = maximum;

    /// <summary>Takes a slot; null when the cap is reached. Dispose the slot when the connection ends.</summary>
    public IDisposable? TryEnter()
    {
        if (Interlocked.Increment(ref _open) > Maximum)
        {
            Interlocked.Decrement(ref _open);
            return null;
        }

        return new Slot(this);
    }

    private sealed class Slot(ConnectionCap owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}
