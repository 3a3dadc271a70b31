using System.Security.Cryptography.X509Certificates;
using Rampart.Fleet.Certificates;
using Rampart.Fleet.Vendors;

namespace Rampart.Storage.Tests.Contracts;

/// <summary>Issued certificates, CRLs and manufacturer CAs, the same on every provider.</summary>
public abstract class CertificateStoreContract<TProvider> : StoreContract<TProvider>
    where TProvider : IStoreProvider, new()
{
    [Fact]
    public async Task Certificates_are_found_by_serial_and_subject_newest_first_and_a_shared_key_is_noticed()
    {
        await Stores.Certificates.AddAsync(Certificate("0A", "d1", "key-1", 0), CancellationToken.None);
        await AuditedAsync(async transaction =>
        {
            await Stores.Certificates.AddAsync(transaction, Certificate("0B", "d1", "key-2", 10), CancellationToken.None);
            return true;
        });
        await Stores.Certificates.AddAsync(Certificate("0C", "d2", "key-9", 0), CancellationToken.None);

        Assert.Equal("d1", (await Stores.Certificates.GetAsync("0a", CancellationToken.None))?.Subject);
        Assert.Equal(["0B", "0A"], (await Stores.Certificates.ListAsync("device", "d1", CancellationToken.None)).Select(c => c.Serial));
        Assert.Equal("device:d2", await Stores.Certificates.FindOtherKeyHolderAsync("key-9", "device", "d1", CancellationToken.None));
        Assert.Null(await Stores.Certificates.FindOtherKeyHolderAsync("key-1", "device", "d1", CancellationToken.None));
        Assert.Equal("device:d1", await AuditedAsync(transaction => Stores.Certificates.FindOtherKeyHolderAsync(transaction, "key-2", "device", "d2", CancellationToken.None)));
    }

    [Fact]
    public async Task A_certificate_is_revoked_once_and_only_unexpired_revocations_are_listed()
    {
        await Stores.Certificates.AddAsync(Certificate("01", "d1", "k1", 0), CancellationToken.None);
        await Stores.Certificates.AddAsync(Certificate("02", "d2", "k2", -400), CancellationToken.None);

        Assert.True(await AuditedAsync(t => Stores.Certificates.TryRevokeAsync(t, "01", Start.AddHours(1), X509RevocationReason.KeyCompromise, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.Certificates.TryRevokeAsync(t, "01", Start.AddHours(2), X509RevocationReason.Superseded, CancellationToken.None)));
        Assert.True(await AuditedAsync(t => Stores.Certificates.TryRevokeAsync(t, "02", Start.AddHours(1), X509RevocationReason.Superseded, CancellationToken.None)));

        var revoked = Assert.Single(await Stores.Certificates.ListRevokedUnexpiredAsync(Start, CancellationToken.None));
        Assert.Equal(("01", Start.AddHours(1), X509RevocationReason.KeyCompromise), (revoked.SerialHex, revoked.RevokedAt, revoked.Reason));
        var stored = await Stores.Certificates.GetAsync("01", CancellationToken.None);
        Assert.True(stored!.Revoked);
        Assert.Equal(X509RevocationReason.KeyCompromise, stored.RevocationReason);
    }

    [Fact]
    public async Task The_latest_crl_and_each_vendor_ca_once()
    {
        Assert.Null(await Stores.Crls.GetLatestAsync(CancellationToken.None));
        await Stores.Crls.AddAsync(new PublishedCrl(1, Start, Start.AddDays(1), [1]), CancellationToken.None);
        await Stores.Crls.AddAsync(new PublishedCrl(2, Start.AddHours(1), Start.AddDays(2), [2, 2]), CancellationToken.None);
        Assert.Equal([2, 2], (await Stores.Crls.GetLatestAsync(CancellationToken.None))!.Der);

        var vendor = new VendorTrust("acme", [9, 9], "fp-1", Start);
        Assert.True(await AuditedAsync(t => Stores.VendorTrust.TryAddAsync(t, vendor, CancellationToken.None)));
        Assert.False(await AuditedAsync(t => Stores.VendorTrust.TryAddAsync(t, vendor with { Name = "again" }, CancellationToken.None)));
        Assert.Equal([vendor.Name], (await Stores.VendorTrust.ListAsync(CancellationToken.None)).Select(v => v.Name));
    }

    private static IssuedCertificate Certificate(string serial, string subject, string key, int days) =>
        new(serial, "device", subject, key, Start.AddDays(days), Start.AddDays(days + 365), false, null, null, [1, 2, 3]);
}
