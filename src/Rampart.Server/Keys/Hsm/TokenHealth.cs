using System.Threading.Channels;
using Rampart.Pki.Keys;
using Rampart.Pki.Keys.Pkcs11;

namespace Rampart.Server.Keys.Hsm;

/// <summary>
/// Whether the PKCS#11 token(s) holding the node's CA and update keys can be used right now, as
/// the providers last reported (a failed signature, or <see cref="TokenMonitor"/>'s probe).
/// <c>/readyz</c> reads it; every change is queued for the monitor to record as a security event.
/// </summary>
public sealed class TokenHealth
{
    private readonly Pkcs11KeyProvider[] _tokens;
    private readonly Channel<(Pkcs11KeyProvider Token, string? Reason)> _changes =
        Channel.CreateBounded<(Pkcs11KeyProvider, string?)>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Watches the distinct tokens among <paramref name="providers"/> (file providers have nothing to lose).</summary>
    public TokenHealth(IEnumerable<ISigningKeyProvider?> providers)
    {
        _tokens = providers.OfType<Pkcs11KeyProvider>().Distinct().ToArray();
        foreach (var token in _tokens)
        {
            token.AvailabilityChanged += reason => _changes.Writer.TryWrite((token, reason));
        }
    }

    /// <summary>The tokens watched (none when the keys are files).</summary>
    public IReadOnlyList<Pkcs11KeyProvider> Tokens => _tokens;

    /// <summary>Why a token cannot be used, or null when every token can (or there is none).</summary>
    public string? UnavailableReason => _tokens.Select(token => token.UnavailableReason).FirstOrDefault(reason => reason is not null);

    /// <summary>Availability changes in the order they happened (reason null: available again).</summary>
    internal ChannelReader<(Pkcs11KeyProvider Token, string? Reason)> Changes => _changes.Reader;
}
