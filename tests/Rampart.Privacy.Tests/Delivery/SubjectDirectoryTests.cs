using Rampart.Privacy.Delivery;
using Rampart.Privacy.Subjects;

namespace Rampart.Privacy.Tests.Delivery;

/// <summary>A cluster node's full reload (docs/privacy.md, "Across a cluster"): it forgets the erased and never undoes a newer change.</summary>
public sealed class SubjectDirectoryTests
{
    private static SubjectRouting Routing(string pseudonym, string device, params string[] consents) =>
        new(pseudonym, "eu", [device], consents.ToHashSet(StringComparer.Ordinal));

    [Fact]
    public void A_full_reload_replaces_every_subject_and_forgets_those_gone_from_the_store()
    {
        var directory = new SubjectDirectory();
        directory.Set(Routing("ps-a", "thermo-a", "analytics"));
        directory.Set(Routing("ps-b", "thermo-b"));

        Assert.True(directory.TryReplaceAll([Routing("ps-a", "thermo-a")], directory.Version, out var gone));

        Assert.Equal(["ps-b"], gone);
        Assert.Null(directory.Find("thermo-b"));
        Assert.Empty(directory.Find("thermo-a")!.Consented);
    }

    [Fact]
    public void A_reload_read_before_a_newer_change_is_not_applied_over_it()
    {
        var directory = new SubjectDirectory();
        directory.Set(Routing("ps-a", "thermo-a", "analytics"));
        var readAt = directory.Version;
        directory.Set(Routing("ps-a", "thermo-a"));

        Assert.False(directory.TryReplaceAll([Routing("ps-a", "thermo-a", "analytics")], readAt, out var gone));

        Assert.Empty(gone);
        Assert.Empty(directory.Find("thermo-a")!.Consented);
    }
}
