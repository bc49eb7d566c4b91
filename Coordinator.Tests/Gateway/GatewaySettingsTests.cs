using Akka.Configuration;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Gateway;

[Trait("Category", "Unit")]
public sealed class GatewaySettingsTests
{
    [Fact]
    public void The_reference_configuration_is_the_only_source_of_defaults()
    {
        Assert.Equal(GatewaySettings.Default, GatewaySettings.Create(ReplicaHost.ReferenceConfig.GetConfig("coordinator.gateway")));
        var missing = Assert.Throws<ConfigurationException>(() => GatewaySettings.Create(ConfigurationFactory.Empty));
        Assert.Contains("coordinator.gateway.max-in-flight-per-session is missing", missing.Message);
    }

    [Theory]
    [InlineData("max-watches-per-session = 0")]
    [InlineData("max-in-flight-per-session = -1")]
    [InlineData("max-bytes-in-flight-per-session = 1KiB")]
    public void Limits_that_could_never_admit_a_request_are_refused(string hocon)
    {
        var section = ConfigurationFactory.ParseString(hocon).WithFallback(ReplicaHost.ReferenceConfig.GetConfig("coordinator.gateway"));
        Assert.Throws<ConfigurationException>(() => GatewaySettings.Create(section));
    }
}
