using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Rampart.Fleet.Audit;
using Rampart.Updates.Firmware;

namespace Rampart.Fleet.Tests.Audit;

/// <summary>
/// Checkpoints signed by ECDSA and ML-DSA-65 (FIPS 204) over the same bytes: both must verify when
/// the ML-DSA one is there, checkpoints from before it verify by ECDSA alone, and a rotation hands
/// the ML-DSA key over with the ECDSA one, so a stretch whose ML-DSA key the chain names cannot have
/// its ML-DSA signatures stripped.
/// </summary>
public sealed class AuditMlDsaCheckpointTests
{
    [Fact]
    public async Task Checkpoints_of_a_key_with_an_ml_dsa_companion_verify_under_both()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var key = Paired();
        await WriteAsync(log, key, 12);

        var checkpoints = await ReadCheckpointsAsync(log);
        var result = await VerifyAsync(log, key);

        Assert.True(result.IsIntact, result.Problem);
        Assert.All(checkpoints, checkpoint => Assert.Equal(MlDsa65.SignatureLength, checkpoint.MlDsa65Signature!.Length));
        Assert.Equal(checkpoints.Count, result.MlDsa65Verified);
        Assert.Equal(result.CheckpointsVerified, result.MlDsa65Verified);
    }

    [Fact]
    public async Task A_tampered_ml_dsa_signature_fails_verification_though_the_ecdsa_one_holds()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var key = Paired();
        await WriteAsync(log, key, 12);

        var first = (await ReadCheckpointsAsync(log))[0];
        var forged = first.MlDsa65Signature!.ToArray();
        forged[100] ^= 0x01;
        await log.TamperAsync("UPDATE audit_checkpoints SET ml_dsa_65_signature = $s WHERE seq = $q", ("$s", forged), ("$q", first.Sequence));
        var result = await VerifyAsync(log, key);

        Assert.Equal(first.Sequence, result.FirstBadSequence);
        Assert.Contains("the ML-DSA-65 signature does not verify", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_from_before_ml_dsa_still_verifies_and_its_later_checkpoints_carry_both()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var before = new AuditSigningKey(ECDsa.Create(ecdsa.ExportParameters(true))))
        {
            await WriteAsync(log, before, 7); // ECDSA only, as every node signed before ML-DSA
        }

        using var mlDsa = MlDsa65.Create();
        using var upgraded = new AuditSigningKey(ECDsa.Create(ecdsa.ExportParameters(true)), MlDsa65.FromSeed(mlDsa.ExportSeed()));
        await WriteAsync(log, upgraded, 6);

        var checkpoints = await ReadCheckpointsAsync(log);
        using var publicKey = upgraded.ExportPublic();
        var withBoth = await new AuditVerifier(publicKey, mlDsa.PublicKey).VerifyAsync(log.Store);
        var ecdsaOnlyVerifier = await new AuditVerifier(publicKey).VerifyAsync(log.Store);

        Assert.Contains(checkpoints, checkpoint => checkpoint.MlDsa65Signature is null);
        Assert.Contains(checkpoints, checkpoint => checkpoint.MlDsa65Signature is not null);
        Assert.True(withBoth.IsIntact, withBoth.Problem);
        Assert.Equal(checkpoints.Count(checkpoint => checkpoint.MlDsa65Signature is not null), withBoth.MlDsa65Verified);

        // A verifier without the ML-DSA key cannot check a signature that is there, and says so.
        Assert.False(ecdsaOnlyVerifier.IsIntact);
        Assert.Contains("no ML-DSA-65 public key is known", ecdsaOnlyVerifier.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotation_hands_over_the_ml_dsa_key_and_its_signatures_cannot_be_stripped_after_it()
    {
        await using var log = await AuditTestLog.CreateAsync(checkpointInterval: 5);
        using var old = Paired();
        using var next = Paired();
        await WriteAsync(log, old, 8);
        await RotateAsync(log, old, next);
        await WriteAsync(log, next, 9);

        // Either pair verifies the whole log: the rotation entry names the other stretch's ML-DSA key.
        var withOld = await VerifyAsync(log, old);
        var withNew = await VerifyAsync(log, next);
        Assert.True(withOld.IsIntact, withOld.Problem);
        Assert.True(withNew.IsIntact, withNew.Problem);
        Assert.Equal(withOld.CheckpointsVerified, withOld.MlDsa65Verified);
        Assert.Equal(withNew.CheckpointsVerified, withNew.MlDsa65Verified);

        // Given the new ECDSA key with some other ML-DSA key: the log names the real one.
        using var stranger = MlDsa65.Create();
        using var newPublic = next.ExportPublic();
        var mismatched = await new AuditVerifier(newPublic, stranger.PublicKey).VerifyAsync(log.Store);
        Assert.False(mismatched.IsIntact);
        Assert.Contains("is not the one the log hands over to", mismatched.Problem, StringComparison.Ordinal);

        // Stripping the ML-DSA signature off a checkpoint of the new stretch is caught even by the old key alone.
        var last = (await ReadCheckpointsAsync(log))[^1];
        await log.TamperAsync("UPDATE audit_checkpoints SET ml_dsa_65_signature = NULL WHERE seq = $q", ("$q", last.Sequence));
        var stripped = await VerifyAsync(log, old);
        Assert.Equal(last.Sequence, stripped.FirstBadSequence);
        Assert.Contains("has no ML-DSA-65 signature", stripped.Problem, StringComparison.Ordinal);
    }

    private static AuditSigningKey Paired() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), MlDsa65.Create());

    private static async Task<AuditVerification> VerifyAsync(AuditTestLog log, AuditSigningKey key)
    {
        using var publicKey = key.ExportPublic();
        return await new AuditVerifier(publicKey, key.MlDsa65PublicKey).VerifyAsync(log.Store);
    }

    private static async Task<List<AuditCheckpoint>> ReadCheckpointsAsync(AuditTestLog log)
    {
        var checkpoints = new List<AuditCheckpoint>();
        await foreach (var checkpoint in log.Store.ReadCheckpointsAsync(CancellationToken.None))
        {
            checkpoints.Add(checkpoint);
        }

        return checkpoints;
    }

    private static AuditLog Writer(AuditTestLog log, AuditSigningKey key) =>
        new(log.Store, key, log.Clock, Microsoft.Extensions.Options.Options.Create(log.Options), NullLogger<AuditLog>.Instance);

    private static async Task RotateAsync(AuditTestLog log, AuditSigningKey from, AuditSigningKey to)
    {
        var audit = Writer(log, from);
        await audit.StartAsync(CancellationToken.None);
        using var fromPublic = from.ExportPublic();
        using var toPublic = to.ExportPublic();
        await audit.AppendAsync(AuditKeyRotation.Record("operator", fromPublic, toPublic, from.MlDsa65PublicKey, to.MlDsa65PublicKey));
        await audit.StopAsync();
    }

    private static async Task WriteAsync(AuditTestLog log, AuditSigningKey key, int count)
    {
        var audit = Writer(log, key);
        await audit.StartAsync(CancellationToken.None);
        for (var i = 1; i <= count; i++)
        {
            await audit.AppendAsync(AuditTestLog.Record(i));
        }

        await audit.StopAsync();
    }
}
