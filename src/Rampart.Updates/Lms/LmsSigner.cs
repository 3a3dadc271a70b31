using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rampart.Updates.Lms;

/// <summary>
/// An LMS private key (RFC 8554 §5.2) with its one-time keys derived from a seed (Appendix A) and its
/// Merkle tree held in memory, signing as HSS with one level (§6) so signatures and keys are in the
/// form <see cref="LmsVerifier.VerifyHss"/> checks. Stateful: each signature spends one leaf, and the
/// leaf index is stored durably before the signature is released.
/// </summary>
public sealed class LmsSigner : IDisposable
{
    private readonly LmsType _type;
    private readonly LmOtsType _otsType;
    private readonly byte[] _identifier;
    private readonly byte[] _seed;
    private readonly byte[][] _tree;
    private readonly ILmsStateStore _state;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _next;

    private LmsSigner(LmsType type, LmOtsType otsType, byte[] identifier, byte[] seed, ILmsStateStore state, long next)
    {
        _type = type;
        _otsType = otsType;
        _identifier = identifier;
        _seed = seed;
        _state = state;
        _next = next;
        _tree = BuildTree();
        PublicKey = [.. U32(1), .. U32(type.Code), .. U32(otsType.Code), .. identifier, .. _tree[1]];
    }

    /// <summary>The HSS public key (L = 1): <c>u32str(1) || u32str(type) || u32str(otstype) || I || T[1]</c>.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Signatures left before the key is exhausted.</summary>
    public long Remaining => _type.Leaves - Interlocked.Read(ref _next);

    /// <summary>True when fewer than a tenth of the signatures are left: time to make the next key.</summary>
    public bool NearlyExhausted => Remaining < Math.Max(1, _type.Leaves / 10);

    /// <summary>A new key: random identifier and seed. Keep the seed secret (<see cref="ExportSeed"/>).</summary>
    public static Task<LmsSigner> CreateAsync(LmsType type, LmOtsType otsType, ILmsStateStore state, CancellationToken cancellationToken) =>
        CreateAsync(type, otsType, _ => state, cancellationToken);

    /// <summary>A new key whose state store is chosen by its identifier <c>I</c> (a store shared by several keys keeps one index per key).</summary>
    public static async Task<LmsSigner> CreateAsync(LmsType type, LmOtsType otsType, Func<byte[], ILmsStateStore> stateFor, CancellationToken cancellationToken)
    {
        var identifier = RandomNumberGenerator.GetBytes(LmsHash.IdentifierLength);
        var state = stateFor(identifier);
        await state.ReserveAsync(0, cancellationToken);
        return new LmsSigner(type, otsType, identifier, RandomNumberGenerator.GetBytes(LmOtsType.N), state, 0);
    }

    /// <summary>The identifier <c>I</c> an exported seed names (RFC 8554 §5.2), without loading the key.</summary>
    public static byte[] IdentifierOf(byte[] exportedSeed) =>
        exportedSeed.Length == 8 + LmsHash.IdentifierLength + LmOtsType.N
            ? exportedSeed[8..(8 + LmsHash.IdentifierLength)]
            : throw new ArgumentException("not an exported LMS key", nameof(exportedSeed));

    /// <summary>Loads a key exported with <see cref="ExportSeed"/> and continues from its stored state.</summary>
    public static async Task<LmsSigner> LoadAsync(byte[] exportedSeed, ILmsStateStore state, CancellationToken cancellationToken)
    {
        if (exportedSeed.Length != 8 + LmsHash.IdentifierLength + LmOtsType.N
            || LmsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(exportedSeed)) is not { } type
            || LmOtsType.FromCode(BinaryPrimitives.ReadUInt32BigEndian(exportedSeed.AsSpan(4))) is not { } otsType)
        {
            throw new ArgumentException("not an exported LMS key", nameof(exportedSeed));
        }

        return new LmsSigner(type, otsType, exportedSeed[8..(8 + LmsHash.IdentifierLength)], exportedSeed[(8 + LmsHash.IdentifierLength)..], state,
            await state.LoadAsync(cancellationToken));
    }

    /// <summary>The private key material: types, identifier and seed (secret; store it encrypted).</summary>
    public byte[] ExportSeed() => [.. U32(_type.Code), .. U32(_otsType.Code), .. _identifier, .. _seed];

    /// <summary>Signs; throws <see cref="InvalidOperationException"/> when every leaf is spent.</summary>
    public async Task<byte[]> SignAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        uint q;
        try
        {
            // The store hands out the leaf and has it durable before anything is computed or released
            // (RFC 8554 §5.4: one message per one-time key): a crash now only wastes leaf q, and another
            // signer sharing the store (another node) never gets q.
            var reserved = await _state.ReserveNextAsync(_type.Leaves, cancellationToken);
            if (reserved is not { } index)
            {
                Interlocked.Exchange(ref _next, _type.Leaves);
                throw new InvalidOperationException($"the LMS key is exhausted: all {_type.Leaves} one-time keys are spent");
            }

            q = (uint)index;
            Interlocked.Exchange(ref _next, q + 1L);
        }
        finally
        {
            _lock.Release();
        }

        return [.. U32(0), .. SignLeaf(q, message.Span)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        _lock.Dispose();
    }

    // u32str(q) || LM-OTS signature (Algorithm 3) || u32str(type) || authentication path.
    private byte[] SignLeaf(uint q, ReadOnlySpan<byte> message)
    {
        var signature = new byte[4 + _otsType.SignatureLength + 4 + (_type.Height * LmsType.M)];
        BinaryPrimitives.WriteUInt32BigEndian(signature, q);
        var ots = signature.AsSpan(4, _otsType.SignatureLength);
        BinaryPrimitives.WriteUInt32BigEndian(ots, _otsType.Code);
        var c = ots.Slice(4, LmOtsType.N);
        RandomNumberGenerator.Fill(c);
        Span<byte> digits = stackalloc byte[LmOtsType.N + 2];
        LmsHash.MessageDigits(_otsType, _identifier, q, c, message, digits);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < _otsType.P; i++)
        {
            var y = ots.Slice(4 + LmOtsType.N + (i * LmOtsType.N), LmOtsType.N);
            PrivateElement(hash, q, i, y);
            LmsHash.Chain(hash, _identifier, q, i, 0, LmsHash.Coefficient(digits, i, _otsType.W), y);
        }

        var at = 4 + _otsType.SignatureLength;
        BinaryPrimitives.WriteUInt32BigEndian(signature.AsSpan(at), _type.Code);
        var node = (1u << _type.Height) + q;
        for (var level = 0; level < _type.Height; level++, node /= 2)
        {
            _tree[node ^ 1].CopyTo(signature.AsSpan(at + 4 + (level * LmsType.M)));
        }

        return signature;
    }

    // Appendix A: x_q[i] = H(I || u32str(q) || u16str(i) || u8str(0xff) || SEED).
    private void PrivateElement(IncrementalHash hash, uint q, int i, Span<byte> destination)
    {
        hash.AppendData(_identifier);
        LmsHash.AppendUInt32(hash, q);
        LmsHash.AppendUInt16(hash, (ushort)i);
        hash.AppendData([0xff]);
        hash.AppendData(_seed);
        hash.GetHashAndReset(destination);
    }

    // T[r] for r = 1 … 2^(h+1) − 1 (§5.3): every one-time public key hashed into the tree.
    private byte[][] BuildTree()
    {
        var leaves = (uint)_type.Leaves;
        var tree = new byte[2 * leaves][];
        Parallel.For(0, (int)leaves, q =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var publicHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            publicHash.AppendData(_identifier);
            LmsHash.AppendUInt32(publicHash, (uint)q);
            LmsHash.AppendUInt16(publicHash, LmsHash.DomainPublic);
            Span<byte> element = stackalloc byte[LmOtsType.N];
            for (var i = 0; i < _otsType.P; i++)
            {
                PrivateElement(hash, (uint)q, i, element);
                LmsHash.Chain(hash, _identifier, (uint)q, i, 0, (1 << _otsType.W) - 1, element);
                publicHash.AppendData(element);
            }

            tree[leaves + q] = LmsHash.Leaf(_identifier, leaves + (uint)q, publicHash.GetHashAndReset());
        });
        for (var r = leaves - 1; r >= 1; r--)
        {
            tree[r] = LmsHash.Interior(_identifier, r, tree[2 * r], tree[(2 * r) + 1]);
        }

        return tree;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
