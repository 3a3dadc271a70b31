using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>
/// Keys in a PKCS#11 token (PKCS#11 v2.40 base specification). Opening finds the token by label and
/// logs in as the user; each key is an EC key pair labelled <c>rampart-NAME</c>, generated inside the
/// token with <c>CKA_SENSITIVE</c> true and <c>CKA_EXTRACTABLE</c> false, so the private half never
/// leaves it: signatures are computed by the token (<c>CKM_ECDSA</c> over a hash the node computes).
/// One logged-in session serves every key; operations on it are serialised (§5.6: a session is not
/// for concurrent use).
/// </summary>
public sealed partial class Pkcs11KeyProvider : ISigningKeyProvider
{
    /// <summary>Label prefix of Rampart's objects in the token.</summary>
    public const string LabelPrefix = "rampart-";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IObjectHandle> _signingKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _previouslyUsed = new(StringComparer.Ordinal);
    private IPkcs11Library _library;
    private ISession _session;
    private string? _unavailable;
    private long _lastReconnect;
    private bool _disposed;

    private Pkcs11KeyProvider(Pkcs11Settings settings, IPkcs11Library library, ISession session)
    {
        Settings = settings;
        _library = library;
        _session = session;
    }

    /// <summary>
    /// Raised (under no lock of the caller's) when the token stops answering — removed, its slot
    /// unusable — with the reason, and again with null when it answers again.
    /// </summary>
    public event Action<string?>? AvailabilityChanged;

    /// <summary>Why the token cannot be used right now, or null while it can.</summary>
    public string? UnavailableReason
    {
        get
        {
            lock (_lock)
            {
                return _unavailable;
            }
        }
    }

    /// <summary>Shortest time between two attempts to reach a token that went away (each is a module re-initialisation).</summary>
    public static TimeSpan ReconnectInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The token this provider is logged in to.</summary>
    public Pkcs11Settings Settings { get; }

    /// <inheritdoc />
    public KeyLocation Location => KeyLocation.Pkcs11;

    /// <summary>
    /// Loads the module, finds the token and logs in with the PIN from <paramref name="settings"/>.
    /// Every failure — module missing, token absent, wrong or locked PIN — is a
    /// <see cref="KeyProviderException"/> saying which, never the PIN.
    /// </summary>
    public static Pkcs11KeyProvider Open(Pkcs11Settings settings)
    {
        var (library, session) = Connect(settings);
        return new Pkcs11KeyProvider(settings, library, session);
    }

    /// <inheritdoc />
    public bool Exists(string name) => Guarded(() => Find(name, CKO.CKO_PRIVATE_KEY) is not null, retry: true);

    /// <inheritdoc />
    public ECDsa Generate(string name, ECCurve curve)
    {
        var parameters = NamedCurve.EcParameters(curve);
        var label = LabelPrefix + name;
        var id = RandomNumberGenerator.GetBytes(16);
        var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
        Guarded(() =>
        {
            if (Find(name, CKO.CKO_PRIVATE_KEY) is not null)
            {
                throw new KeyProviderException($"{Settings} holds a key labelled '{label}' already");
            }

            List<IObjectAttribute> publicTemplate =
            [
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, false),
                attributes.Create(CKA.CKA_LABEL, label),
                attributes.Create(CKA.CKA_ID, id),
                attributes.Create(CKA.CKA_EC_PARAMS, parameters),
                attributes.Create(CKA.CKA_VERIFY, true),
            ];
            List<IObjectAttribute> privateTemplate =
            [
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_LABEL, label),
                attributes.Create(CKA.CKA_ID, id),
                attributes.Create(CKA.CKA_SIGN, true),
                // PKCS#11 §4.9: sensitive keys never reveal CKA_VALUE; unextractable keys cannot be wrapped out.
                attributes.Create(CKA.CKA_SENSITIVE, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, false),
            ];
            using var mechanism = Pkcs11Library.Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN);
            try
            {
                _session.GenerateKeyPair(mechanism, publicTemplate, privateTemplate, out _, out _);
            }
            catch (Pkcs11Exception exception) when (!TokenGone(exception.RV))
            {
                throw new KeyProviderException($"{Settings} could not generate key '{label}': {exception.RV}", exception);
            }

            return 0;
        }, retry: false);

        return Open(name);
    }

    /// <inheritdoc />
    public ECDsa Open(string name) => Guarded(() =>
        {
            var privateKey = Find(name, CKO.CKO_PRIVATE_KEY) ?? throw new KeyProviderException($"{Settings} holds no key labelled '{LabelPrefix}{name}'");
            var publicKey = Find(name, CKO.CKO_PUBLIC_KEY) ?? throw new KeyProviderException($"{Settings} holds no public key labelled '{LabelPrefix}{name}'");
            var values = _session.GetAttributeValue(publicKey, [CKA.CKA_EC_PARAMS, CKA.CKA_EC_POINT]);
            var parameters = new ECParameters { Curve = NamedCurve.FromEcParameters(values[0].GetValueAsByteArray()), Q = NamedCurve.PointFromEcPoint(values[1].GetValueAsByteArray()) };
            _signingKeys[name] = privateKey;
            return new Pkcs11ECDsa(this, parameters, name);
        }, retry: true);

    /// <inheritdoc />
    public void Delete(string name) => Guarded(() =>
        {
            _signingKeys.Remove(name);
            _previouslyUsed.Remove(name);
            foreach (var kind in new[] { CKO.CKO_PRIVATE_KEY, CKO.CKO_PUBLIC_KEY })
            {
                if (Find(name, kind) is { } handle)
                {
                    try
                    {
                        _session.DestroyObject(handle);
                    }
                    catch (Pkcs11Exception exception) when (!TokenGone(exception.RV))
                    {
                        throw new KeyProviderException($"{Settings} could not destroy key '{LabelPrefix}{name}': {exception.RV}", exception);
                    }
                }
            }

            return 0;
        }, retry: true);

    /// <inheritdoc />
    public void Rename(string from, string to)
    {
        var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
        Guarded(() =>
        {
            if (Find(to, CKO.CKO_PRIVATE_KEY) is not null || Find(to, CKO.CKO_PUBLIC_KEY) is not null)
            {
                throw new KeyProviderException($"{Settings} holds a key labelled '{LabelPrefix}{to}' already");
            }

            _signingKeys.Remove(from);
            _previouslyUsed.Remove(from);

            // Private half first: a crash between the two leaves the private key findable under the new name.
            foreach (var kind in new[] { CKO.CKO_PRIVATE_KEY, CKO.CKO_PUBLIC_KEY })
            {
                var handle = Find(from, kind) ?? throw new KeyProviderException($"{Settings} holds no {(kind == CKO.CKO_PRIVATE_KEY ? "private" : "public")} key labelled '{LabelPrefix}{from}'");
                try
                {
                    _session.SetAttributeValue(handle, [attributes.Create(CKA.CKA_LABEL, LabelPrefix + to)]);
                }
                catch (Pkcs11Exception exception) when (!TokenGone(exception.RV))
                {
                    throw new KeyProviderException($"{Settings} could not relabel key '{LabelPrefix}{from}': {exception.RV}", exception);
                }
            }

            return 0;
        }, retry: false);
    }

    /// <summary>The private key's protection attributes as the token reports them (for the inventory and the extraction test).</summary>
    public (bool Sensitive, bool Extractable, bool NeverExtractable) Protection(string name) => Guarded(() =>
        {
            var key = Find(name, CKO.CKO_PRIVATE_KEY) ?? throw new KeyProviderException($"{Settings} holds no key labelled '{LabelPrefix}{name}'");
            var values = _session.GetAttributeValue(key, [CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_NEVER_EXTRACTABLE]);
            return (values[0].GetValueAsBool(), values[1].GetValueAsBool(), values[2].GetValueAsBool());
        }, retry: true);

    /// <summary>Runs <paramref name="operation"/> on the logged-in session, serialised with every other use (not retried: it may change objects).</summary>
    internal T WithSession<T>(Func<ISession, T> operation) => Guarded(() => operation(_session), retry: false);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                _session.Logout();
            }
            catch (Exception exception) when (exception is Pkcs11Exception or ObjectDisposedException)
            {
                // Already logged out or the token is gone: nothing to undo.
            }

            _session.Dispose();
            Pkcs11Library.Release(Settings.Module);
        }
    }

    // Loads the module, finds the token and logs in.
    private static (IPkcs11Library Library, ISession Session) Connect(Pkcs11Settings settings)
    {
        if (!File.Exists(settings.Module))
        {
            throw new KeyProviderException($"the PKCS#11 module {settings.Module} does not exist");
        }

        IPkcs11Library library;
        try
        {
            library = Pkcs11Library.Acquire(settings.Module);
        }
        catch (Exception exception)
        {
            throw new KeyProviderException(Explain(settings, exception), exception);
        }

        try
        {
            return (library, Login(settings, library));
        }
        catch
        {
            Pkcs11Library.Release(settings.Module);
            throw;
        }
    }

    private static ISession Login(Pkcs11Settings settings, IPkcs11Library library)
    {
        var pin = settings.ReadPin();
        ISession? session = null;
        try
        {
            var slots = library.GetSlotList(SlotsType.WithTokenPresent);
            var labels = slots.Select(slot => slot.GetTokenInfo().Label.Trim()).ToArray();
            var slot = slots.Where((_, i) => labels[i] == settings.TokenLabel).FirstOrDefault()
                ?? throw new KeyProviderException($"no PKCS#11 token labelled '{settings.TokenLabel}' is present in {settings.Module}" +
                    (labels.Length == 0 ? " (no token at all)" : $" (present: {string.Join(", ", labels.Select(label => $"'{label}'"))})"));
            session = slot.OpenSession(SessionType.ReadWrite);
            session.Login(CKU.CKU_USER, Encoding.UTF8.GetBytes(pin));
            return session;
        }
        catch (Exception exception)
        {
            session?.Dispose();
            throw exception is KeyProviderException ? exception : new KeyProviderException(Explain(settings, exception), exception);
        }
    }

    private IObjectHandle? Find(string name, CKO kind)
    {
        var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
        var found = _session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, kind), attributes.Create(CKA.CKA_LABEL, LabelPrefix + name)]);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new KeyProviderException($"{Settings} holds {found.Count} objects labelled '{LabelPrefix}{name}'; remove the extra ones"),
        };
    }

    private static string Explain(Pkcs11Settings settings, Exception exception) => exception switch
    {
        Pkcs11Exception { RV: CKR.CKR_PIN_INCORRECT } => $"the PIN for {settings} is wrong",
        Pkcs11Exception { RV: CKR.CKR_PIN_LOCKED } => $"the PIN for {settings} is locked; unlock it with the security officer PIN",
        Pkcs11Exception { RV: CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_REMOVED } => $"{settings} is not present",
        Pkcs11Exception pkcs11 => $"{settings} refused: {pkcs11.Method} returned {pkcs11.RV}",
        _ => $"the PKCS#11 module {settings.Module} cannot be used: {exception.Message}",
    };
}
