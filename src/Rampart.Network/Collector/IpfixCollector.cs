using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rampart.Network.Flows;
using Rampart.Network.Ipfix;
using Rampart.Posture.Zones;

namespace Rampart.Network.Collector;

/// <summary>
/// The live IPFIX / NetFlow v9 collector (RFC 7011 §10.3: UDP transport): 1. a datagram from an address
/// not in <see cref="NetworkOptions.Exporters"/> is dropped (flow export is unauthenticated), 2. each
/// exporter gets <see cref="NetworkOptions.DatagramsPerSecondPerExporter"/> (beyond: dropped), 3. the
/// datagram is decoded (a malformed one is counted and dropped whole), 4. its flows go into a bounded
/// queue (full: dropped and counted, never blocking the socket). <see cref="ReadBatchAsync"/> drains it.
/// </summary>
public sealed class IpfixCollector : IAsyncDisposable
{
    private const int MaxExporters = 256;
    private readonly Socket _socket;
    private readonly IPNetwork[] _exporters;
    private readonly int _perSecond;
    private readonly TemplateCache _templates = new(MaxExporters, 512);
    private readonly FlowExportDecoder _decoder;
    private readonly Channel<FlowRecord> _queue;
    private readonly Dictionary<string, (long Second, int Count)> _rates = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _receiving;
    private long _datagrams;
    private long _flows;
    private long _dropped;
    private long _refused;
    private long _malformed;
    private long _limited;

    public IpfixCollector(IPEndPoint endPoint, NetworkOptions options, TimeProvider time)
    {
        _decoder = new FlowExportDecoder(_templates);
        _exporters = options.Exporters.Select(ZoneNetworks.Parse).ToArray();
        _perSecond = options.DatagramsPerSecondPerExporter;
        _time = time;
        _queue = Channel.CreateBounded<FlowRecord>(new BoundedChannelOptions(options.CollectorQueue) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.Bind(endPoint);
        BoundEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _receiving = Task.Run(ReceiveAsync);
    }

    public IPEndPoint BoundEndPoint { get; }

    /// <summary>What the collector counted since it started.</summary>
    public CollectorCounters Counters => new(Interlocked.Read(ref _datagrams), Interlocked.Read(ref _flows), Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _refused), Interlocked.Read(ref _malformed), Interlocked.Read(ref _limited), _decoder.UnknownTemplateRecords, _templates.Count, _queue.Reader.Count);

    /// <summary>Waits for queued flows, then takes up to <paramref name="max"/> of them.</summary>
    public async Task<IReadOnlyList<FlowRecord>> ReadBatchAsync(int max, CancellationToken cancellationToken)
    {
        var batch = new List<FlowRecord>();
        if (!await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            return batch;
        }

        while (batch.Count < max && _queue.Reader.TryRead(out var flow))
        {
            batch.Add(flow);
        }

        return batch;
    }

    /// <summary>Decodes one datagram as if it arrived from <paramref name="exporter"/> (the receive loop's step 2–4; the bench drives it directly).</summary>
    public void Accept(ReadOnlySpan<byte> datagram, IPEndPoint exporter, List<FlowRecord> scratch)
    {
        Interlocked.Increment(ref _datagrams);
        var address = exporter.Address.IsIPv4MappedToIPv6 ? exporter.Address.MapToIPv4() : exporter.Address;
        if (!_exporters.Any(n => n.Contains(address)))
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        var source = exporter.ToString();
        if (!WithinRate(source))
        {
            Interlocked.Increment(ref _limited);
            return;
        }

        scratch.Clear();
        try
        {
            _decoder.Decode(datagram, source, scratch);
        }
        catch (NetworkInputException)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        foreach (var flow in scratch)
        {
            if (_queue.Writer.TryWrite(flow))
            {
                Interlocked.Increment(ref _flows);
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private bool WithinRate(string source)
    {
        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        var (at, count) = _rates.GetValueOrDefault(source);
        if (at != second)
        {
            if (!_rates.ContainsKey(source) && _rates.Count >= MaxExporters)
            {
                _rates.Clear(); // exporters are allow-listed, so this is a bound against a misconfiguration, not an attack
            }

            _rates[source] = (second, 1);
            return true;
        }

        _rates[source] = (at, count + 1);
        return count < _perSecond;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[65_535];
        var scratch = new List<FlowRecord>();
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable from an earlier send, a truncated datagram: the next one counts
            }

            Accept(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint, scratch);
        }
    }

    // The node's host stops the collector and disposes of it again at the end: the second time is a no-op.
    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket.Dispose();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _queue.Writer.TryComplete();
        _stopping.Dispose();
    }
}

/// <summary>
/// Collector counters: datagrams received, flows queued, flows dropped at the full queue, datagrams refused
/// (not an exporter), malformed, rate-limited, data records of unknown templates; and now: templates held, flows waiting in the queue.
/// </summary>
public sealed record CollectorCounters(long Datagrams, long Flows, long Dropped, long Refused, long Malformed, long RateLimited, long UnknownTemplateRecords, int Templates, int Queued);
