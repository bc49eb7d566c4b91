using Akka.Configuration;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Security;

/// <summary>coordinator.tls as read from configuration: the template, and the refusals a replica starts with.</summary>
[Trait("Category", "Security")]
public sealed class TlsSettingsTests
{
    [Fact]
    public void The_secure_template_turns_TLS_on_with_mutual_authentication_and_the_reference_keeps_it_off()
    {
        var template = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(ServiceBinary.RepositoryRoot, "config", "secure-3-machines.conf")))
            .WithFallback(ReplicaHost.ReferenceConfig);
        var tls = TlsSettings.Create(template.GetConfig(TlsSettings.Path));
        Assert.True(tls.Enabled);
        Assert.True(tls.RequireClientCertificates);
        Assert.True(tls.VerifyHostname);
        Assert.EndsWith("ca.crt", tls.CaPath);
        Assert.False(TlsSettings.Create(ReplicaHost.ReferenceConfig.GetConfig(TlsSettings.Path)).Enabled);
    }

    [Fact]
    public void TLS_without_a_certificate_or_with_a_bad_switch_is_refused_by_name()
    {
        var missing = Assert.Throws<ConfigurationException>(() => Read("enabled = on"));
        Assert.Contains("coordinator.tls.certificate", missing.Message);
        var garbled = Assert.Throws<ConfigurationException>(() => Read("enabled = maybe"));
        Assert.Contains("coordinator.tls.enabled", garbled.Message);
    }

    [Fact]
    public async Task A_replica_refuses_to_start_with_another_replicas_certificate_or_a_missing_file()
    {
        using var directory = new TempDirectory("tls-settings");
        using var authority = new TestAuthority(directory.Path, "cluster-ca");
        var (certificate, key) = authority.Issue("replica-2");
        var port = FreePorts.Take(1)[0];
        Config ConfigWith(string certificatePath) => ConfigurationFactory.ParseString($$"""
            coordinator.replica { id = 1, data-dir = "{{directory.Path}}" }
            coordinator.replicas { 1 = "127.0.0.1:{{port}}" }
            coordinator.tls { enabled = on, certificate = "{{certificatePath}}", private-key = "{{key}}", ca = "{{authority.CaPath}}" }
            akka.loglevel = OFF
            """);
        var stateMachine = () => new TreeStateMachine(ReplicaSettings.Create(ConfigWith(certificate).WithFallback(ReplicaHost.ReferenceConfig)).StateMachine);

        var wrong = await Assert.ThrowsAsync<ReplicaStartException>(() => ReplicaHost.StartAsync(ConfigWith(certificate), stateMachine));
        Assert.Contains("not this replica (CN=replica-1)", wrong.Message);
        var absent = await Assert.ThrowsAsync<ReplicaStartException>(() => ReplicaHost.StartAsync(ConfigWith(Path.Combine(directory.Path, "none.crt")), stateMachine));
        Assert.Contains("not found", absent.Message);
    }

    private static TlsSettings Read(string hocon) =>
        TlsSettings.Create(ConfigurationFactory.ParseString($"coordinator.tls {{ {hocon} }}").WithFallback(ReplicaHost.ReferenceConfig).GetConfig(TlsSettings.Path));
}
