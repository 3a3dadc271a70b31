using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>Which key pair in the token a user generated beforehand: by its <c>CKA_LABEL</c>, or by its <c>CKA_ID</c> (hex).</summary>
public sealed record Pkcs11KeySelector(string? Label, byte[]? Id)
{
    /// <summary>Parses <c>label:NAME</c>, <c>id:HEX</c>, or a bare label.</summary>
    public static Pkcs11KeySelector Parse(string value)
    {
        if (value.StartsWith("id:", StringComparison.Ordinal))
        {
            try
            {
                return new Pkcs11KeySelector(null, Convert.FromHexString(value[3..]));
            }
            catch (FormatException)
            {
                throw new KeyProviderException($"'{value}' is not id:HEX (an even number of hexadecimal digits)");
            }
        }

        var label = value.StartsWith("label:", StringComparison.Ordinal) ? value[6..] : value;
        return label.Length is > 0 and <= 256 ? new Pkcs11KeySelector(label, null) : throw new KeyProviderException("a key label is 1 to 256 characters");
    }

    /// <inheritdoc />
    public override string ToString() => Label is not null ? $"label '{Label}'" : $"id {Convert.ToHexString(Id ?? [])}";
}

/// <summary>
/// Takes over an EC key pair that was generated inside the token by other tooling (pkcs11-tool,
/// the vendor's utility) so the node uses it instead of generating one. Before anything changes
/// it checks what makes a key hardware-held (PKCS#11 v2.40 §4.9): <c>CKA_SENSITIVE</c> true,
/// <c>CKA_EXTRACTABLE</c> false, <c>CKA_NEVER_EXTRACTABLE</c> true (it was never exportable, not
/// merely made unexportable after a copy could have been taken), <c>CKA_SIGN</c> true — and that the
/// private half and the public object found beside it are one pair (a signature by the token
/// verifies with the public point). Then both objects are relabelled <c>rampart-NAME</c>, the label
/// every later start opens; <see cref="Release"/> gives the original label back.
/// </summary>
public static class Pkcs11KeyAdoption
{
    /// <summary>Adopts the pair <paramref name="selector"/> names as key <paramref name="name"/>; returns its original label.</summary>
    public static string Adopt(Pkcs11KeyProvider provider, string name, Pkcs11KeySelector selector)
    {
        if (provider.Exists(name))
        {
            throw new KeyProviderException($"{provider.Settings} holds a key labelled '{Pkcs11KeyProvider.LabelPrefix}{name}' already");
        }

        var original = provider.WithSession(session =>
        {
            var privateKey = FindOne(provider, session, CKO.CKO_PRIVATE_KEY, selector);
            var values = session.GetAttributeValue(privateKey,
                [CKA.CKA_KEY_TYPE, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_NEVER_EXTRACTABLE, CKA.CKA_SIGN, CKA.CKA_LABEL, CKA.CKA_ID]);
            if ((CKK)values[0].GetValueAsUlong() != CKK.CKK_EC)
            {
                throw new KeyProviderException($"the key with {selector} in {provider.Settings} is not an EC key; Rampart's CA keys are ECDSA P-256 or P-384");
            }

            var refusals = new List<string>();
            if (!values[1].GetValueAsBool())
            {
                refusals.Add("CKA_SENSITIVE is false (the token would reveal the private value)");
            }

            if (values[2].GetValueAsBool())
            {
                refusals.Add("CKA_EXTRACTABLE is true (it can be wrapped out of the token)");
            }
            else if (!values[3].GetValueAsBool())
            {
                refusals.Add("CKA_NEVER_EXTRACTABLE is false (it was extractable once, so a copy may exist)");
            }

            if (!values[4].GetValueAsBool())
            {
                refusals.Add("CKA_SIGN is false");
            }

            if (refusals.Count > 0)
            {
                throw new KeyProviderException($"the key with {selector} in {provider.Settings} cannot hold a CA: {string.Join("; ", refusals)}. " +
                    "Generate it inside the token as sensitive and not extractable (pkcs11-tool --keypairgen without --extractable)");
            }

            var label = values[5].GetValueAsString() ?? "";
            var id = values[6].GetValueAsByteArray() ?? [];

            // The public object is the one with the same CKA_ID (how pkcs11-tool and most vendors pair them), else the same label.
            var publicKey = FindOne(provider, session, CKO.CKO_PUBLIC_KEY, id.Length > 0 ? new Pkcs11KeySelector(null, id) : new Pkcs11KeySelector(label, null));
            ProvePair(provider, session, privateKey, publicKey, selector);
            var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
            foreach (var handle in new[] { privateKey, publicKey })
            {
                session.SetAttributeValue(handle, [attributes.Create(CKA.CKA_LABEL, Pkcs11KeyProvider.LabelPrefix + name)]);
            }

            return label;
        });
        return original;
    }

    /// <summary>Gives an adopted pair its original label back (a <c>ca init</c> that failed after adopting).</summary>
    public static void Release(Pkcs11KeyProvider provider, string name, string originalLabel)
    {
        provider.WithSession(session =>
        {
            var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
            foreach (var kind in new[] { CKO.CKO_PRIVATE_KEY, CKO.CKO_PUBLIC_KEY })
            {
                foreach (var handle in session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, kind), attributes.Create(CKA.CKA_LABEL, Pkcs11KeyProvider.LabelPrefix + name)]))
                {
                    session.SetAttributeValue(handle, [attributes.Create(CKA.CKA_LABEL, originalLabel)]);
                }
            }

            return 0;
        });
    }

    private static IObjectHandle FindOne(Pkcs11KeyProvider provider, ISession session, CKO kind, Pkcs11KeySelector selector)
    {
        var attributes = Pkcs11Library.Factories.ObjectAttributeFactory;
        List<IObjectAttribute> template = [attributes.Create(CKA.CKA_CLASS, kind)];
        template.Add(selector.Label is not null ? attributes.Create(CKA.CKA_LABEL, selector.Label) : attributes.Create(CKA.CKA_ID, selector.Id!));
        var found = session.FindAllObjects(template);
        var what = kind == CKO.CKO_PRIVATE_KEY ? "private" : "public";
        return found.Count switch
        {
            1 => found[0],
            0 => throw new KeyProviderException($"{provider.Settings} holds no {what} key with {selector}"),
            _ => throw new KeyProviderException($"{provider.Settings} holds {found.Count} {what} keys with {selector}; name one by id:HEX"),
        };
    }

    // Proof of possession: the token signs a random digest with the private half and the public object's point verifies it.
    private static void ProvePair(Pkcs11KeyProvider provider, ISession session, IObjectHandle privateKey, IObjectHandle publicKey, Pkcs11KeySelector selector)
    {
        var values = session.GetAttributeValue(publicKey, [CKA.CKA_EC_PARAMS, CKA.CKA_EC_POINT]);
        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = NamedCurve.FromEcParameters(values[0].GetValueAsByteArray()),
            Q = NamedCurve.PointFromEcPoint(values[1].GetValueAsByteArray()),
        });
        var digest = RandomNumberGenerator.GetBytes(32);
        using var mechanism = Pkcs11Library.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
        byte[] signature;
        try
        {
            signature = session.Sign(mechanism, privateKey, digest);
        }
        catch (Pkcs11Exception exception)
        {
            throw new KeyProviderException($"{provider.Settings} could not sign with the key with {selector}: {exception.RV}", exception);
        }

        if (!verifier.VerifyHash(digest, signature))
        {
            throw new KeyProviderException($"the private and public keys with {selector} in {provider.Settings} are not one pair (a signature by the private key does not verify with the public key)");
        }
    }
}
