using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

[Trait("Category", "StateMachine")]
public sealed class PathRulesTests
{
    [Theory]
    [InlineData("/", false, true)]
    [InlineData("/a", false, true)]
    [InlineData("/a/b-c_d.e", false, true)]
    [InlineData("/a/...", false, true)]
    [InlineData("/ä/日本", false, true)]
    [InlineData("", false, false)]
    [InlineData("a", false, false)]
    [InlineData("a/b", false, false)]
    [InlineData("/a/", false, false)]
    [InlineData("/a//b", false, false)]
    [InlineData("//", false, false)]
    [InlineData("/a/./b", false, false)]
    [InlineData("/a/../b", false, false)]
    [InlineData("/.", false, false)]
    [InlineData("/..", false, false)]
    [InlineData("/a\u0000", false, false)]
    [InlineData("/a\u0001b", false, false)]
    [InlineData("/a\u007f", false, false)]
    [InlineData("/a\u009f", false, false)]
    [InlineData("/a\ud800", false, false)]
    [InlineData("/a\ufff0", false, false)]
    [InlineData("/a/", true, true)]
    [InlineData("/", true, true)]
    [InlineData("/a//", true, false)]
    [InlineData("/a/b", true, true)]
    public void Validates_like_ZooKeeper(string path, bool sequential, bool valid) =>
        Assert.Equal(valid, PathRules.IsValid(path, 1024, sequential));

    [Fact]
    public void Bounds_the_length()
    {
        Assert.True(PathRules.IsValid("/" + new string('a', 9), 10));
        Assert.False(PathRules.IsValid("/" + new string('a', 10), 10));
        Assert.False(PathRules.IsValid(null, 10));
    }

    [Theory]
    [InlineData("/a", "/", "a")]
    [InlineData("/a/b", "/a", "b")]
    [InlineData("/a/", "/a", "")]
    public void Splits_parent_and_name(string path, string parent, string name)
    {
        Assert.Equal(parent, PathRules.ParentOf(path));
        Assert.Equal(name, PathRules.NameOf(path));
    }
}
