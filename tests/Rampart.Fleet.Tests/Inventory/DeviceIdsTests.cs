using Rampart.Fleet.Inventory;

namespace Rampart.Fleet.Tests.Inventory;

public sealed class DeviceIdsTests
{
    [Theory]
    [InlineData("pump-7")]
    [InlineData("a")]
    [InlineData("A.b_c-d")]
    [InlineData("7")]
    [InlineData("sensor.v2.")]
    public void Ordinary_ids_are_valid(string id) => Assert.True(DeviceIds.IsValid(id));

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("...")]
    [InlineData(".hidden")]
    [InlineData("-rf")]
    [InlineData("_x")]
    [InlineData("a/b")]
    [InlineData("$SYS")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("dev%2e")]
    [InlineData("a*")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a\u001b")]
    [InlineData("")]
    [InlineData(null)]
    public void Ids_that_paths_topics_or_command_lines_treat_specially_are_refused(string? id) => Assert.False(DeviceIds.IsValid(id));

    [Theory]
    [InlineData("-spare", true)]
    [InlineData(".hidden", true)]
    [InlineData("_x", true)]
    [InlineData("pump-7", true)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("....", false)]
    [InlineData("a/b", false)]
    [InlineData("dev+", false)]
    [InlineData("", false)]
    public void Devices_added_under_the_earlier_rule_can_still_be_named_except_ids_made_of_dots(string id, bool nameable) =>
        Assert.Equal(nameable, DeviceIds.CanName(id));

    [Fact]
    public void An_id_longer_than_64_characters_is_refused() => Assert.False(DeviceIds.IsValid(new string('a', 65)));
}
