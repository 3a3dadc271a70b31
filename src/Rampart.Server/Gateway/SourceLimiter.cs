using System.Net;

namespace Rampart.Server.Gateway;

/// <summary>
/// Counts connections per source address that have not yet completed CONNECT, so one address
/// cannot hold the listener with half-open handshakes (threat model, "Availability").
/// </summary>
public sealed class SourceLimiter(int perSource)
{
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly Lock _lock = new();

    /// <summary>Takes a slot for <paramref name="address"/>; null when it already holds the maximum.</summary>
    public Lease? TryEnter(IPAddress address)
    {
        lock (_lock)
        {
            var count = _open.GetValueOrDefault(address);
            if (count >= perSource)
            {
                return null;
            }

            _open[address] = count + 1;
            return new Lease(this, address);
        }
    }

    private void Leave(IPAddress address)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(address, out var count))
            {
                if (count <= 1)
                {
                    _open.Remove(address);
                }
                else
                {
                    _open[address] = count - 1;
                }
            }
        }
    }

    /// <summary>One slot; released once, by whichever comes first: CONNECT accepted or the connection ending.</summary>
    public sealed class Lease(SourceLimiter owner, IPAddress address) : IDisposable
    {
        private int _released;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Leave(address);
            }
        }
    }
}
