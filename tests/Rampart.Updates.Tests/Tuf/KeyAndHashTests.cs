using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rampart.Testing;
using Rampart.Updates.Tests.Tuf.Simulation;
using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>The specification's key types (§4.2) and target hash algorithms (§4.5, §5.7.4).</summary>
public sealed class KeyAndHashTests
{
    private static readonly byte[] Image = "firmware"u8.ToArray();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    public static TheoryData<string> KeyTypes => ["ed25519", "rsassa-pss-sha256", "ecdsa-sha2-nistp256"];

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public async Task A_repository_whose_every_role_signs_with_one_key_type_updates_and_downloads(string scheme)
    {
        var repository = new SimulatedRepository(_clock, () => NewKey(scheme));
        repository.Delegate("targets", "vendor");
        repository.AddTarget("fw.bin", Image, "vendor");
        repository.Publish();
        var client = new TufClient(repository, repository.InitialRoot, _clock);

        Assert.Equal(Image, await client.DownloadTargetAsync("fw.bin", CancellationToken.None));
        Assert.Equal(scheme, JsonNode.Parse(repository.InitialRoot)!["signed"]!["keys"]!.AsObject().First().Value!["scheme"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void A_signature_by_each_key_type_verifies_and_a_tampered_message_does_not(string scheme)
    {
        var signer = NewKey(scheme);
        var signature = signer.Sign("message"u8.ToArray());

        Assert.True(TufKey.Verify(signer.PublicKey.Json, "message"u8.ToArray(), signature));
        Assert.False(TufKey.Verify(signer.PublicKey.Json, "messagf"u8.ToArray(), signature));
    }

    [Fact]
    public void Ed25519_verifies_the_RFC_8032_test_vector()
    {
        // RFC 8032 §7.1, TEST 2: a one-byte message.
        var key = new JsonObject
        {
            ["keytype"] = "ed25519",
            ["scheme"] = "ed25519",
            ["keyval"] = new JsonObject { ["public"] = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c" },
        };
        var signature = Convert.FromHexString("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

        Assert.True(TufKey.Verify(key, [0x72], signature));
        Assert.False(TufKey.Verify(key, [0x73], signature));
    }

    [Fact]
    public void A_key_of_a_type_the_client_does_not_support_or_an_RSA_key_below_2048_bits_verifies_nothing()
    {
        using var small = RSA.Create(1024);
        var weak = TufSigner.RsaPss(small);
        var unknown = (JsonObject)NewKey("ed25519").PublicKey.Json.DeepClone();
        unknown["scheme"] = "ed448";

        Assert.False(TufKey.Verify(weak.PublicKey.Json, "m"u8.ToArray(), weak.Sign("m"u8.ToArray())));
        Assert.False(TufKey.Verify(unknown, "m"u8.ToArray(), new byte[64]));
    }

    [Fact]
    public async Task A_target_listed_only_with_sha512_downloads()
    {
        var repository = Repository("sha512");

        Assert.Equal(Image, await new TufClient(repository, repository.InitialRoot, _clock).DownloadTargetAsync("fw.bin", CancellationToken.None));
        Assert.EndsWith($"{Convert.ToHexStringLower(SHA512.HashData(Image))}.fw.bin", repository.Requests[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_must_match_every_supported_hash_it_lists_not_only_the_first()
    {
        var repository = Repository("sha256", "sha512");
        var client = new TufClient(repository, repository.InitialRoot, _clock);
        var target = (await client.FindTargetAsync("fw.bin", CancellationToken.None))!;

        // The right SHA-256 but a wrong SHA-512: someone found a second file for one of the hashes.
        var forged = target with { Hashes = new JsonObject { ["sha256"] = target.Hashes["sha256"]!.GetValue<string>(), ["sha512"] = new string('0', 128) } };
        var error = await Assert.ThrowsAsync<TufException>(() => client.DownloadTargetAsync(forged, CancellationToken.None));

        Assert.Equal(TufFailure.BadTarget, error.Failure);
        Assert.Contains("sha512", error.Message, StringComparison.Ordinal);
        Assert.Equal(Image, await client.DownloadTargetAsync(target, CancellationToken.None));
    }

    [Fact]
    public async Task A_target_none_of_whose_hashes_the_client_supports_is_refused()
    {
        var repository = Repository("md5");

        var error = await Assert.ThrowsAsync<TufException>(() => new TufClient(repository, repository.InitialRoot, _clock).DownloadTargetAsync("fw.bin", CancellationToken.None));

        Assert.Equal(TufFailure.BadTarget, error.Failure);
        Assert.Contains("no hash this client supports", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_that_does_not_match_the_sha256_the_timestamp_signed_is_refused()
    {
        var repository = Repository("sha256");
        var path = $"metadata/{repository.SnapshotVersion}.snapshot.json";
        var bytes = (byte[])repository.Files[path].Clone();
        var at = Encoding.UTF8.GetString(bytes).IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7;
        bytes[at] = bytes[at] == (byte)'0' ? (byte)'1' : (byte)'0';
        repository.Files[path] = bytes;

        var error = await Assert.ThrowsAsync<TufException>(() => new TufClient(repository, repository.InitialRoot, _clock).RefreshAsync(CancellationToken.None));
        Assert.Equal(TufFailure.Mismatch, error.Failure);
    }

    private SimulatedRepository Repository(params string[] algorithms)
    {
        var repository = new SimulatedRepository(_clock);
        repository.HashAlgorithms.Clear();
        repository.HashAlgorithms.AddRange(algorithms);
        repository.AddTarget("fw.bin", Image);
        repository.Publish();
        return repository;
    }

    private static TufSigner NewKey(string scheme) => scheme switch
    {
        "ed25519" => TufSigner.NewEd25519(),
        "rsassa-pss-sha256" => TufSigner.RsaPss(RSA.Create(2048)),
        _ => TufSigner.Ecdsa(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
    };
}
