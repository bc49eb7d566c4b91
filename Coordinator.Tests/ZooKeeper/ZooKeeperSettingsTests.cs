using Akka.Configuration;
using Coordinator.Service.Runtime;
using Coordinator.Service.ZooKeeper;
using Xunit;

namespace Coordinator.Tests.ZooKeeper;

/// <summary><c>coordinator.zookeeper</c>: off by default, an endpoint turns it on, bad values are refused by name.</summary>
[Trait("Category", "ZooKeeper")]
public sealed class ZooKeeperSettingsTests
{
    [Fact]
    public void The_ZooKeeper_port_is_off_by_default_with_ZooKeepers_frame_limit()
    {
        var settings = Read("");
        Assert.False(settings.Enabled);
        Assert.Equal(0xfffff, settings.MaxFrameBytes);
        Assert.Equal(1000, settings.MaxQueuedRequests);
    }

    [Fact]
    public void An_endpoint_turns_it_on()
    {
        var settings = Read("""coordinator.zookeeper.endpoint = "0.0.0.0:2181" """);
        Assert.True(settings.Enabled);
        Assert.Equal(("0.0.0.0", 2181), (settings.Host, settings.Port));
    }

    [Theory]
    [InlineData("""coordinator.zookeeper.endpoint = "2181" """, "endpoint")]
    [InlineData("""coordinator.zookeeper.endpoint = "host:0" """, "endpoint")]
    [InlineData("""coordinator.zookeeper.endpoint = "host:70000" """, "endpoint")]
    [InlineData("coordinator.zookeeper.max-frame-bytes = 100", "max-frame-bytes")]
    [InlineData("coordinator.zookeeper.max-queued-requests = 0", "max-queued-requests")]
    public void Bad_values_are_refused_by_name(string hocon, string key)
    {
        var refused = Assert.Throws<ConfigurationException>(() => Read(hocon));
        Assert.Contains($"coordinator.zookeeper.{key}", refused.Message);
    }

    private static ZooKeeperSettings Read(string hocon) =>
        ZooKeeperSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(ReplicaHost.ReferenceConfig).GetConfig(ZooKeeperSettings.Path));
}
