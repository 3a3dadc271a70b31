using Rampart.Testing;
using Rampart.Updates.Lms;

namespace Rampart.Updates.Tests.Lms;

/// <summary>Signing with a stateful LMS key: signatures verify, no leaf is used twice even across a crash, exhaustion is refused.</summary>
public sealed class LmsSignerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Signatures_verify_with_the_public_key_and_each_uses_the_next_leaf()
    {
        using var signer = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W8, new FileLmsStateStore(_temp.Sub("state")), CancellationToken.None);

        var first = await signer.SignAsync("firmware 1.0"u8.ToArray(), CancellationToken.None);
        var second = await signer.SignAsync("firmware 1.1"u8.ToArray(), CancellationToken.None);

        Assert.True(LmsVerifier.VerifyHss(signer.PublicKey, "firmware 1.0"u8, first));
        Assert.True(LmsVerifier.VerifyHss(signer.PublicKey, "firmware 1.1"u8, second));
        Assert.False(LmsVerifier.VerifyHss(signer.PublicKey, "firmware 1.1"u8, first));
        Assert.Equal([0u, 1u], new[] { first, second }.Select(s => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(4))));
        Assert.Equal(30, signer.Remaining);
    }

    [Fact]
    public async Task A_crash_after_the_state_is_stored_but_before_the_signature_is_released_never_reuses_that_leaf()
    {
        var statePath = _temp.Sub("state");
        byte[] seed;
        using (var signer = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(statePath), CancellationToken.None))
        {
            seed = signer.ExportSeed();
            await signer.SignAsync("a"u8.ToArray(), CancellationToken.None);
        }

        // The process dies right after reserving leaf 1: its signature never leaves.
        using (var dying = await LmsSigner.LoadAsync(seed, new CrashAfterReserve(new FileLmsStateStore(statePath)), CancellationToken.None))
        {
            await Assert.ThrowsAsync<IOException>(() => dying.SignAsync("b"u8.ToArray(), CancellationToken.None));
        }

        using var restarted = await LmsSigner.LoadAsync(seed, new FileLmsStateStore(statePath), CancellationToken.None);
        var signature = await restarted.SignAsync("c"u8.ToArray(), CancellationToken.None);
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(signature.AsSpan(4)));
        Assert.True(LmsVerifier.VerifyHss(restarted.PublicKey, "c"u8, signature));
    }

    [Fact]
    public async Task An_exhausted_key_refuses_to_sign_and_warns_before()
    {
        var statePath = _temp.Sub("state");
        using var signer = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(statePath), CancellationToken.None);
        var warned = false;
        for (var i = 0; i < 32; i++)
        {
            warned |= signer.NearlyExhausted;
            await signer.SignAsync(new byte[] { (byte)i }, CancellationToken.None);
        }

        Assert.True(warned);
        Assert.Equal(0, signer.Remaining);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => signer.SignAsync("one more"u8.ToArray(), CancellationToken.None));
        Assert.Contains("exhausted", refused.Message, StringComparison.Ordinal);
        Assert.Equal("32", File.ReadAllText(statePath));
    }

    [Fact]
    public async Task A_state_file_that_does_not_hold_an_index_is_refused_rather_than_guessed()
    {
        var statePath = _temp.Sub("state");
        using var signer = await LmsSigner.CreateAsync(LmsType.Sha256M32H5, LmOtsType.Sha256N32W4, new FileLmsStateStore(statePath), CancellationToken.None);
        File.WriteAllText(statePath, "garbage");

        await Assert.ThrowsAsync<InvalidDataException>(() => LmsSigner.LoadAsync(signer.ExportSeed(), new FileLmsStateStore(statePath), CancellationToken.None));
    }

    private sealed class CrashAfterReserve(ILmsStateStore inner) : ILmsStateStore
    {
        public Task<long> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

        public Task ReserveAsync(long next, CancellationToken cancellationToken) => inner.ReserveAsync(next, cancellationToken);

        public async Task<long?> ReserveNextAsync(long leaves, CancellationToken cancellationToken)
        {
            await inner.ReserveNextAsync(leaves, cancellationToken);
            throw new IOException("simulated crash after the state reached the disk");
        }
    }
}
