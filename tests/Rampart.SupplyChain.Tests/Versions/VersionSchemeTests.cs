using Rampart.SupplyChain.Versions;

namespace Rampart.SupplyChain.Tests.Versions;

public sealed class VersionSchemeTests
{
    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("v1.9.0", "1.10.0")]
    [InlineData("8.3.0", "8.4.0")]
    public void Semver_orders_as_semver_2_section_11(string older, string newer) => Assert.True(SemverScheme.Instance.Compare(older, newer) < 0);

    [Theory]
    [InlineData("1.0~rc1", "1.0")]
    [InlineData("1.0", "1.0-1")]
    [InlineData("1.0-1", "1.0-1+deb12u1")]
    [InlineData("2.85-1", "1:2.0")]
    [InlineData("1.2.10", "1.2.100")]
    [InlineData("1.0a", "1.0+")]
    [InlineData("7.88.1-10+deb12u5", "7.88.1-10+deb12u8")]
    public void Debian_versions_order_as_dpkg_does(string older, string newer)
    {
        Assert.True(DebianScheme.Instance.Compare(older, newer) < 0);
        Assert.True(DebianScheme.Instance.Compare(newer, older) > 0);
    }

    [Fact]
    public void Debian_equal_versions_compare_equal_across_leading_zeros() => Assert.Equal(0, DebianScheme.Instance.Compare("0:1.02", "1.2"));

    [Fact]
    public void PEP_440_orders_its_documented_example_sequence()
    {
        string[] ordered = ["1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.post2.dev1", "1.1", "1!0.5"];
        for (var i = 1; i < ordered.Length; i++)
        {
            Assert.True(Pep440Scheme.Instance.Compare(ordered[i - 1], ordered[i]) < 0, $"{ordered[i - 1]} < {ordered[i]}");
        }

        Assert.Equal(0, Pep440Scheme.Instance.Compare("1.0", "1.0.0"));
        Assert.Equal(0, Pep440Scheme.Instance.Compare("1.0alpha1", "1.0a1"));
        Assert.Null(Pep440Scheme.Instance.Compare("not a version", "1.0"));
    }

    [Theory]
    [InlineData("2.83", "2.85")]
    [InlineData("1.2", "1.2.1")]
    [InlineData("1.2rc1", "1.2")]
    [InlineData("1.9", "1.10")]
    public void Generic_versions_compare_numbers_as_numbers(string older, string newer) => Assert.True(GenericScheme.Instance.Compare(older, newer) < 0);
}
