using Rampart.Fleet.Errors;

namespace Rampart.Fleet.Tests.Errors;

public sealed class EchoTests
{
    [Fact]
    public void A_long_value_is_quoted_as_its_first_64_characters_and_an_ellipsis()
    {
        var echoed = Echo.Of(new string('x', 100_000));

        Assert.Equal(new string('x', 64) + "…", echoed);
    }

    [Fact]
    public void A_short_value_is_quoted_whole() => Assert.Equal("pump-7", Echo.Of("pump-7"));

    [Theory]
    [InlineData("\u001b[31mred", "\\u001b[31mred")]
    [InlineData("a\rb\nc\td", "a\\u000db\\u000ac\\u0009d")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("csi\u009b2J", "csi\\u009b2J")]
    [InlineData("evil\u202Etxt", "evil\\u202etxt")]
    public void Control_and_invisible_formatting_characters_are_escaped(string value, string expected) => Assert.Equal(expected, Echo.Of(value));

    [Fact]
    public void Whole_messages_keep_their_line_breaks_and_tabs_but_lose_escapes() =>
        Assert.Equal("one\n\ttwo \\u001b[2J", Echo.Inert("one\n\ttwo \u001b[2J", keepLineBreaks: true));

    [Fact]
    public void The_cap_never_splits_a_surrogate_pair()
    {
        var echoed = Echo.Of(new string('x', 63) + "😀" + "tail");

        Assert.Equal(new string('x', 63) + "…", echoed);
    }
}
