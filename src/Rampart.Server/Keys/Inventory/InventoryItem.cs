namespace Rampart.Server.Keys.Inventory;

/// <summary>
/// One class of key or certificate the node holds or issues, as <c>rampart crypto inventory</c> lists it.
/// </summary>
/// <param name="Class">What it is for (<c>ca-root</c>, <c>firmware-lms</c>, <c>device-certificates</c> …).</param>
/// <param name="Algorithm">Algorithm and parameters (<c>ECDSA P-256</c>, <c>LMS_SHA256_M32_H10/LMOTS_SHA256_N32_W8</c>).</param>
/// <param name="Bits">Key size in bits, where one applies.</param>
/// <param name="Location">Where the private key is held: file, encrypted-file, pkcs11, tpm, offline, device, absent.</param>
/// <param name="Where">The file or token holding it, for the operator to find.</param>
/// <param name="QuantumVulnerable">True when a cryptographically relevant quantum computer breaks it (Shor: ECDSA, RSA, ECDH).</param>
/// <param name="Expires">When its certificate or metadata expires, if it has one.</param>
/// <param name="RotateBy">When it should be rotated at the latest.</param>
/// <param name="Rotation">How it is rotated.</param>
/// <param name="PostQuantum">What moving it to post-quantum cryptography needs.</param>
public sealed record InventoryItem(
    string Class,
    string Algorithm,
    int? Bits,
    string Location,
    string? Where,
    bool QuantumVulnerable,
    DateTimeOffset? Expires,
    DateTimeOffset? RotateBy,
    string Rotation,
    string PostQuantum);
