using System.Buffers;
using System.Collections.Concurrent;

namespace Rampart.Bench;

/// <summary>
/// Pipe memory for the in-process benches: 4 KiB blocks kept without bound once returned, as
/// Kestrel's own block pool does for sockets. With <see cref="MemoryPool{T}.Shared"/> a megabyte of
/// in-flight pipe data overflows the shared array pool and every block is allocated again, which is
/// the bench's transport, not the broker.
/// </summary>
internal sealed class BenchMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    public static readonly BenchMemoryPool Instance = new();

    private readonly ConcurrentQueue<Block> _free = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            return Shared.Rent(minBufferSize);
        }

        return _free.TryDequeue(out var block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(BenchMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _bytes = new byte[BlockSize];

        public Memory<byte> Memory => _bytes;

        public void Dispose() => pool._free.Enqueue(this);
    }
}
