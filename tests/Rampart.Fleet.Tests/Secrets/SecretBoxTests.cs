using System.Security.Cryptography;
using Rampart.Fleet.Secrets;

namespace Rampart.Fleet.Tests.Secrets;

public sealed class SecretBoxTests
{
    [Fact]
    public void A_sealed_secret_opens_only_with_its_key_and_its_associated_data_unaltered()
    {
        using var box = new SecretBox(RandomNumberGenerator.GetBytes(32));
        using var other = new SecretBox(RandomNumberGenerator.GetBytes(32));
        var secret = RandomNumberGenerator.GetBytes(20);

        var sealedValue = box.Seal(secret, "alice"u8);
        var tampered = sealedValue.ToArray();
        tampered[15] ^= 1;

        Assert.Equal(secret, box.Open(sealedValue, "alice"u8));
        Assert.DoesNotContain(Convert.ToHexString(secret), Convert.ToHexString(sealedValue), StringComparison.Ordinal);
        Assert.ThrowsAny<CryptographicException>(() => box.Open(sealedValue, "mallory"u8));
        Assert.ThrowsAny<CryptographicException>(() => box.Open(tampered, "alice"u8));
        Assert.ThrowsAny<CryptographicException>(() => other.Open(sealedValue, "alice"u8));
    }
}
