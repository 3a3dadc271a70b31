using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rampart.Updates.Files;

namespace Rampart.Device.Identity.Tpm;

/// <summary>
/// Renewal inside the TPM: the next key is made at the other of the two persistent handles, EST
/// <c>simplereenroll</c> (RFC 7030 §4.2.2) certifies it while the current key authenticates, and the roles
/// swap in steps whose order makes every crash recoverable (tpm-keys.state, <see cref="TpmKeyState"/>):
/// 1. record <c>pending = next</c>; 2. create the next key; (EST) 3. write <c>device.next.crt</c>;
/// 4. record <c>current = next, retired = old</c> — the commit point; 5. rename <c>device.next.crt</c> over
/// <c>device.crt</c>; 6. evict the old key (TPM 2.0 Part 3 §28.5 TPM2_EvictControl); 7. record <c>current</c> alone.
/// A crash before 4 leaves <c>pending</c>: the old pair is whole (device.crt and the old key are untouched),
/// so recovery deletes device.next.crt and evicts the next key. A crash after 4 leaves <c>retired</c>: the
/// new certificate is in device.next.crt or already device.crt, so recovery finishes 5–7. The old
/// certificate stays valid until it expires (RFC 7030 §4.2.2 renews, it does not revoke), so discarding
/// a renewal the node completed costs nothing but the next attempt.
/// </summary>
public sealed partial class TpmKeyStore
{
    /// <inheritdoc />
    /// <remarks>Replaces a key left at the other handle by an earlier, unfinished renewal.</remarks>
    public async Task<ECDsa> CreateNextKeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RecoverAsync(cancellationToken);
            var current = _state.Current;
            var next = current == _options.PersistentHandle ? _options.NextPersistentHandle : _options.PersistentHandle;

            // 1–2. The intent is durable before the key exists, so a crash that leaves the key behind also leaves the note to evict it.
            WriteState(new TpmKeyState(current, Pending: next));
            await _tools.CreatePersistentSigningKeyAsync(Tpm2Tools.Name(next), cancellationToken);
            NextKeyCreated(_logger, Tpm2Tools.Name(next), Tpm2Tools.Name(current));
            return OpenAt(next);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task SwapToNextAsync(X509Certificate2 renewed, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var state = _state;
            if (state.Pending is not { } next)
            {
                throw new InvalidOperationException("no next key is pending; make it with CreateNextKeyAsync first");
            }

            using (var key = OpenAt(next))
            {
                if (!Certifies(renewed, key))
                {
                    throw new ArgumentException($"the certificate does not certify the next TPM key at {Tpm2Tools.Name(next)}", nameof(renewed));
                }
            }

            // 3. Stored, but not used until the swap is recorded: a crash now discards it with the next key.
            AtomicFile.Write(_pendingCertificatePath, System.Text.Encoding.ASCII.GetBytes(renewed.ExportCertificatePem() + "\n"));

            // 4. The commit point: from this write on, the new pair is the device's.
            WriteState(new TpmKeyState(next, Retired: state.Current));
            SwapRecorded(_logger, Tpm2Tools.Name(next), renewed.Thumbprint);
            await FinishSwapAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task DiscardNextKeyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_state.Pending is not null)
            {
                await DiscardPendingAsync(cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    // The caller holds _gate. The file is read again: it, not memory, is what a crash left.
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        SetState(TpmKeyState.Read(_statePath, _options));
        if (_state.Pending is { } pending)
        {
            RenewalDiscarded(_logger, Tpm2Tools.Name(pending), Tpm2Tools.Name(_state.Current));
            await DiscardPendingAsync(cancellationToken);
        }
        else if (_state.Retired is { } retired)
        {
            RenewalFinished(_logger, Tpm2Tools.Name(_state.Current), Tpm2Tools.Name(retired));
            await FinishSwapAsync(cancellationToken);
        }
    }

    // Before the commit point: the current pair was never touched, so the next key and its certificate go.
    private async Task DiscardPendingAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        AtomicFile.Delete(_pendingCertificatePath);
        await _tools.EvictAsync(Tpm2Tools.Name(state.Pending!.Value), cancellationToken);
        WriteState(new TpmKeyState(state.Current));
    }

    // After the commit point (steps 5–7), each idempotent, so a crash inside is finished by the next load.
    private async Task FinishSwapAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        ReleaseKey(); // the store's open handle is the old key's
        if (File.Exists(_pendingCertificatePath))
        {
            File.Move(_pendingCertificatePath, CertificatePath, overwrite: true);
            AtomicFile.SyncDirectory(_options.CertificateDirectory);
        }

        var retired = Tpm2Tools.Name(state.Retired!.Value);
        await _tools.EvictAsync(retired, cancellationToken);
        WriteState(new TpmKeyState(state.Current));
        OldKeyEvicted(_logger, retired);
    }

    private void WriteState(TpmKeyState state)
    {
        AtomicFile.CreateOwnerOnlyDirectory(_options.CertificateDirectory);
        state.Write(_statePath);
        SetState(state);
    }

    // A key at a handle other than the current one, opened on its own (the store's cached handle stays the current key's).
    private ECDsaOpenSsl OpenAt(uint handle)
    {
        lock (_lock)
        {
            ApplyTcti();
            try
            {
                using var opened = OpenProviderKey(Tpm2Tools.Name(handle));
                return new ECDsaOpenSsl(opened);
            }
            catch (CryptographicException exception)
            {
                throw Unopenable(Tpm2Tools.Name(handle), exception);
            }
        }
    }
}
