using Net.Pkcs11Interop.Common;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>The token going away while the node runs, and coming back (PKCS#11 v2.40 §5.1, §5.4).</summary>
public sealed partial class Pkcs11KeyProvider
{
    /// <summary>
    /// Signs <paramref name="hash"/> with key <paramref name="name"/> in the token (<c>CKM_ECDSA</c>),
    /// with the guard every operation has (<see cref="Guarded{T}"/>).
    /// </summary>
    internal byte[] Sign(string name, byte[] hash) => Guarded(() => SignOnce(name, hash), retry: true);

    /// <summary>
    /// Runs <paramref name="operation"/> on the session, under the lock. A token that went away
    /// (PKCS#11 v2.40 §5.1: removal invalidates every session and object handle) is reconnected once
    /// at once; an operation that only reads or is idempotent (<paramref name="retry"/>) is then run
    /// again, one that changes objects is not (it may have got half-way) and fails. When the token
    /// cannot be reached every operation throws <see cref="KeyUnavailableException"/> — what the node
    /// answers 503 — until a reconnect, tried at most once per <see cref="ReconnectInterval"/>, succeeds;
    /// never a <see cref="Pkcs11Exception"/> or the dead session's <see cref="ObjectDisposedException"/>.
    /// </summary>
    private T Guarded<T>(Func<T> operation, bool retry)
    {
        var changed = false;
        try
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_unavailable is not null && !TryReconnect(ref changed))
                {
                    throw new KeyUnavailableException(_unavailable);
                }

                Exception failure;
                try
                {
                    return operation();
                }
                catch (Exception exception) when (Gone(exception) is { } reason)
                {
                    changed |= MarkUnavailable(reason);
                    failure = exception;
                }

                if (!TryReconnect(ref changed, force: true) || !retry)
                {
                    throw new KeyUnavailableException(_unavailable ?? $"{Settings} stopped answering during the operation; it answers again, retry", failure);
                }

                try
                {
                    return operation();
                }
                catch (Exception exception) when (Gone(exception) is { } reason)
                {
                    changed |= MarkUnavailable(reason);
                    throw new KeyUnavailableException(_unavailable!, exception);
                }
            }
        }
        finally
        {
            if (changed)
            {
                AvailabilityChanged?.Invoke(UnavailableReason);
            }
        }
    }

    // Under _lock (so not disposed by Dispose): why a failure means the token is gone, or null for a failure of the request itself.
    private string? Gone(Exception exception) => exception switch
    {
        Pkcs11Exception pkcs11 when TokenGone(pkcs11.RV) => $"{Settings} stopped answering ({pkcs11.Method} returned {pkcs11.RV})",

        // A reconnect that failed half-way leaves the old session disposed; using it is the token being gone, not a bug of the caller.
        ObjectDisposedException => $"{Settings} stopped answering (its session is closed)",
        _ => null,
    };

    /// <summary>
    /// Checks that the token still answers and still holds every key this provider has signed
    /// with, or — when it went away — tries to reach it again. Returns the reason it cannot be used, or null.
    /// </summary>
    public string? Probe()
    {
        var changed = false;
        string? reason;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_unavailable is not null)
            {
                TryReconnect(ref changed);
            }
            else
            {
                try
                {
                    _session.GetSessionInfo();
                    foreach (var name in _signingKeys.Keys.ToArray())
                    {
                        if (Find(name, CKO.CKO_PRIVATE_KEY) is null)
                        {
                            changed |= MarkUnavailable($"{Settings} no longer holds key '{LabelPrefix}{name}'");
                            break;
                        }
                    }
                }
                catch (Pkcs11Exception exception)
                {
                    changed |= MarkUnavailable($"{Settings} stopped answering ({exception.Method} returned {exception.RV})");
                }
            }

            reason = _unavailable;
        }

        if (changed)
        {
            AvailabilityChanged?.Invoke(reason);
        }

        return reason;
    }

    private byte[] SignOnce(string name, byte[] hash)
    {
        if (!_signingKeys.TryGetValue(name, out var key))
        {
            key = Find(name, CKO.CKO_PRIVATE_KEY) ?? throw new KeyUnavailableException($"{Settings} holds no key labelled '{LabelPrefix}{name}' (any more)");
            _signingKeys[name] = key;
        }

        using var mechanism = Pkcs11Library.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
        return _session.Sign(mechanism, key, hash);
    }

    // Under _lock. True when the token answers again (or never stopped); a reconnect replaces the session and forgets every object handle.
    private bool TryReconnect(ref bool changed, bool force = false)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!force && System.Diagnostics.Stopwatch.GetElapsedTime(_lastReconnect, now) < ReconnectInterval)
        {
            return false;
        }

        _lastReconnect = now;
        try
        {
            _session.Dispose();
        }
        catch (Exception exception) when (exception is Pkcs11Exception or ObjectDisposedException)
        {
            // The session died with the token.
        }

        _signingKeys.Clear();
        try
        {
            // A token that came back is seen only by a fresh C_Initialize (SoftHSM re-reads its token directory then, as many USB modules do).
            _library = Pkcs11Library.Reinitialize(Settings.Module, _library);
            _session = Login(Settings, _library);
            foreach (var name in _previouslyUsed)
            {
                if (Find(name, CKO.CKO_PRIVATE_KEY) is null)
                {
                    throw new KeyProviderException($"{Settings} is back but no longer holds key '{LabelPrefix}{name}'");
                }
            }
        }
        catch (Exception exception) when (exception is KeyProviderException or Pkcs11Exception)
        {
            changed |= MarkUnavailable(exception.Message);
            return false;
        }

        changed |= _unavailable is not null;
        _unavailable = null;
        return true;
    }

    private bool MarkUnavailable(string reason)
    {
        foreach (var name in _signingKeys.Keys)
        {
            _previouslyUsed.Add(name);
        }

        var changed = _unavailable is null;
        _unavailable = reason;
        return changed;
    }

    // PKCS#11 v2.40 §5.1 return values that mean the token (or the session on it) is gone, not that the request was wrong.
    private static bool TokenGone(CKR rv) => rv is CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_ERROR
        or CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID
        or CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_GENERAL_ERROR or CKR.CKR_CRYPTOKI_NOT_INITIALIZED or CKR.CKR_TOKEN_NOT_RECOGNIZED;
}
