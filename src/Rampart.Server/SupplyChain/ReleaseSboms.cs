using Rampart.Fleet.Audit;
using Rampart.Fleet.Updates;
using Rampart.Server.Updates;
using Rampart.SupplyChain.Sbom;
using Rampart.SupplyChain.Stores;
using Rampart.Updates.Releases;

namespace Rampart.Server.SupplyChain;

/// <summary>
/// A release's SBOM is its component list: the SBOM attached at <c>rampart release add</c> is a TUF target
/// (<c>{release}.sbom.json</c>, stored as <c>{sha256}.{name}</c>). This reads it, checks its hash against the
/// release record, validates and normalises it, and stores the components (or, when it is refused, the
/// reason, which the release gate reports) — once per release, audited.
/// </summary>
public sealed class ReleaseSboms(IReleaseStore releases, ISbomStore sboms, TufRepository repository, IAuditLog audit)
{
    /// <summary>Indexes every release whose SBOM is not stored yet; returns how many were indexed.</summary>
    public async Task<int> IndexAsync(CancellationToken cancellationToken)
    {
        var indexed = 0;
        var stored = (await sboms.ListAsync(cancellationToken)).ToDictionary(s => s.Scope);
        foreach (var release in await releases.ListAsync(100_000, cancellationToken))
        {
            if (release.SbomSha256 is { } sha && (!stored.TryGetValue(SbomScope.Release(release.Id), out var known) || known.Sha256 != sha))
            {
                await IndexAsync(release, cancellationToken);
                indexed++;
            }
        }

        return indexed;
    }

    /// <summary>Reads, validates and stores one release's SBOM; a release without one stores nothing.</summary>
    public async Task<StoredSbom?> IndexAsync(Release release, CancellationToken cancellationToken)
    {
        if (release.SbomSha256 is not { } sha)
        {
            return null;
        }

        var path = Path.Combine(repository.TargetsDirectory, $"{sha}.{release.Id}.sbom.json");
        string? problem = null;
        IReadOnlyList<SbomComponent> components = [];
        var description = "unreadable";
        if (!File.Exists(path))
        {
            problem = $"the SBOM target {release.Id}.sbom.json ({sha}) is missing";
        }
        else
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            if (!Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)).Equals(sha, StringComparison.Ordinal))
            {
                problem = "the SBOM target does not match the hash the release records";
            }
            else
            {
                try
                {
                    var document = SbomReader.Read(bytes);
                    (components, description) = (document.Components, document.Describe());
                }
                catch (SbomException exception)
                {
                    problem = $"the SBOM is invalid: {exception.Message}";
                }
            }
        }

        var sbom = new StoredSbom(SbomScope.Release(release.Id), sha, description, components, problem, "node", default);
        await audit.CommitAsync(async (transaction, token) =>
        {
            await sboms.PutAsync(transaction, sbom, token);
            return AuditedOutcome<bool>.Done(true, new AuditRecord("node", "sbom.indexed", $"release:{release.Id}", problem is null ? AuditOutcome.Success : AuditOutcome.Failure,
                new Dictionary<string, string> { ["sha256"] = sha, ["components"] = components.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["problem"] = problem ?? "-" }));
        }, cancellationToken);
        return sbom;
    }
}
