namespace Rampart.Pki.Keys.Pkcs11;

/// <summary>
/// Which PKCS#11 token holds the node's keys: the module (the vendor's shared library), the token's
/// label, and where the user PIN comes from — a file (<see cref="PinFile"/>) or, when none is named,
/// the environment variable <see cref="PinEnvironmentVariable"/>. Never the PIN itself: settings are
/// written to disk and command lines show in <c>ps</c>.
/// </summary>
public sealed record Pkcs11Settings(string Module, string TokenLabel, string? PinFile)
{
    /// <summary>The environment variable read for the PIN when no PIN file is named.</summary>
    public const string PinEnvironmentVariable = "RAMPART_PKCS11_PIN";

    /// <summary>Longest PIN accepted (PKCS#11 tokens use far less; this bounds a wrong file).</summary>
    public const int MaximumPinLength = 256;

    /// <summary>The PIN from the file (first line, trailing newline removed) or the environment; throws with the reason when neither gives one.</summary>
    public string ReadPin()
    {
        string? pin;
        if (PinFile is not null)
        {
            try
            {
                if (new FileInfo(PinFile).Length > MaximumPinLength + 2)
                {
                    throw new KeyProviderException($"the PIN file {PinFile} is larger than a PIN");
                }

                pin = File.ReadAllText(PinFile).TrimEnd('\r', '\n');
            }
            catch (IOException exception)
            {
                throw new KeyProviderException($"the PIN file {PinFile} cannot be read: {exception.Message}", exception);
            }
            catch (UnauthorizedAccessException exception)
            {
                throw new KeyProviderException($"the PIN file {PinFile} cannot be read: {exception.Message}", exception);
            }
        }
        else
        {
            pin = Environment.GetEnvironmentVariable(PinEnvironmentVariable);
        }

        return string.IsNullOrEmpty(pin)
            ? throw new KeyProviderException(PinFile is null
                ? $"no PIN for PKCS#11 token '{TokenLabel}': name a PIN file or set {PinEnvironmentVariable}"
                : $"the PIN file {PinFile} is empty")
            : pin.Length > MaximumPinLength ? throw new KeyProviderException($"the PIN for token '{TokenLabel}' is longer than {MaximumPinLength} characters") : pin;
    }

    /// <inheritdoc />
    public override string ToString() => $"PKCS#11 token '{TokenLabel}' in {Module}";
}
