namespace Rampart.SupplyChain.Stores;

/// <summary>What an SBOM or VEX statement belongs to: a release (its components) or a model (the base SBOM of what releases do not cover).</summary>
public enum SbomScopeKind
{
    Release,
    Model,
}

/// <summary>A release id or a model name, with its kind.</summary>
public sealed record SbomScope(SbomScopeKind Kind, string Id)
{
    /// <summary><c>release:m1-1.0.0</c>, <c>model:m1</c>: the stored key.</summary>
    public string Key => $"{(Kind == SbomScopeKind.Release ? "release" : "model")}:{Id}";

    public static SbomScope Release(string id) => new(SbomScopeKind.Release, id);

    public static SbomScope Model(string model) => new(SbomScopeKind.Model, model);

    /// <summary>The scope of a stored key.</summary>
    public static SbomScope Parse(string key) =>
        key.StartsWith("release:", StringComparison.Ordinal) ? Release(key[8..]) : key.StartsWith("model:", StringComparison.Ordinal) ? Model(key[6..])
        : throw new FormatException($"not a scope key: {key}");

    /// <inheritdoc />
    public override string ToString() => Key;
}
