namespace Rampart.SupplyChain.Sbom;

/// <summary>One thing wrong with a document: where (<c>components[3].purl</c>, empty for the whole document) and why.</summary>
public sealed record SbomProblem(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Reason : $"{Path}: {Reason}";
}

/// <summary>A document that is refused, with every problem found (at most <see cref="SbomLimits.MaxProblems"/>).</summary>
public sealed class SbomException(IReadOnlyList<SbomProblem> problems)
    : Exception(string.Join("; ", problems.Select(p => p.ToString())))
{
    /// <summary>What is wrong, most specific first.</summary>
    public IReadOnlyList<SbomProblem> Problems { get; } = problems;

    /// <summary>A refusal for one reason.</summary>
    public static SbomException Of(string path, string reason) => new([new SbomProblem(path, reason)]);
}
