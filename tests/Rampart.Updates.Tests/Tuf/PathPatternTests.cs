using Rampart.Updates.Tuf;

namespace Rampart.Updates.Tests.Tuf;

/// <summary>Delegation path patterns: segment by segment, each segment as Python's fnmatch (case-sensitive).</summary>
public sealed class PathPatternTests
{
    [Theory]
    [InlineData("targets/*.tgz", "targets/foo.tgz", true)]
    [InlineData("targets/*.tgz", "targets/sub/foo.tgz", false)]
    [InlineData("*", "foo", true)]
    [InlineData("*", "foo/bar", false)]
    [InlineData("*/*", "foo/bar", true)]
    [InlineData("foo-version-?.tgz", "foo-version-2.tgz", true)]
    [InlineData("foo-version-?.tgz", "foo-version-10.tgz", false)]
    [InlineData("fw/[abc]*.bin", "fw/beta.bin", true)]
    [InlineData("fw/[!abc]*.bin", "fw/beta.bin", false)]
    [InlineData("fw/[a-c]x", "fw/bx", true)]
    [InlineData("fw/[a-c]x", "fw/dx", false)]
    [InlineData("fw/[]]x", "fw/]x", true)]
    [InlineData("fw/[x", "fw/[x", true)]
    [InlineData("fw/*.BIN", "fw/a.bin", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("", "", true)]
    [InlineData("fw/", "fw/", true)]
    public void A_pattern_matches_as_the_specification_says(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathPattern.Matches(pattern, path));

    [Fact]
    public void A_pathological_pattern_is_matched_in_bounded_time_and_an_over_long_one_matches_nothing()
    {
        Assert.False(PathPattern.Matches(string.Concat(Enumerable.Repeat("*a", 50)) + "b", new string('a', 4000)));
        Assert.False(PathPattern.Matches(new string('*', PathPattern.MaxLength + 1), "x"));
    }
}
