using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Coordinator.Service.FaultInjection;

namespace Coordinator.Tests.Faults;

/// <summary>The fault harness's commands on a replica's standard input (transport-blackhole mode).</summary>
[Trait("Category", "Unit")]
public sealed class BlackholeCommandTests : TestKit
{
    [Fact]
    public void A_command_names_the_whole_cut_and_an_empty_one_heals()
    {
        var cut = BlackholeCommand.Parse("blackhole clients 127.0.0.1:4001  10.0.0.2:4002");
        Assert.True(cut.Clients);
        Assert.Equal([("127.0.0.1", 4001), ("10.0.0.2", 4002)], cut.Endpoints.OrderByDescending(endpoint => endpoint.Host));

        var heal = BlackholeCommand.Parse("blackhole");
        Assert.False(heal.Clients);
        Assert.Empty(heal.Endpoints);
        Assert.Equal("heal", heal.ToString());
    }

    [Theory]
    [InlineData("cut 127.0.0.1:4001", "is not a command")]
    [InlineData("blackhole 127.0.0.1", "'127.0.0.1' in")]
    [InlineData("blackhole 127.0.0.1:0", "neither")]
    [InlineData("blackhole 127.0.0.1:70000", "neither")]
    [InlineData("blackhole :4001", "neither")]
    public void A_malformed_line_is_refused_with_the_reason(string line, string reason)
    {
        var refused = Assert.Throws<FormatException>(() => BlackholeCommand.Parse(line));
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public async Task Forwarding_reports_malformed_lines_passes_every_command_on_and_confirms_what_was_applied()
    {
        var replica = CreateTestProbe();
        replica.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(BlackholeApplied.Instance);
            return AutoPilot.KeepRunning;
        }));
        var output = new StringWriter();
        var errors = new StringWriter();

        await TransportBlackhole.ForwardCommandsAsync(
            new StringReader("blackhole 127.0.0.1:4002\nnonsense\n\nblackhole\n"), [replica.Ref], output, errors, CancellationToken.None);

        Assert.Equal([("127.0.0.1", 4002)], replica.ExpectMsg<BlackholeCommand>().Endpoints);
        Assert.Empty(replica.ExpectMsg<BlackholeCommand>().Endpoints);
        replica.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(["fault-injection applied: blackhole 127.0.0.1:4002", "fault-injection applied: blackhole"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: 'nonsense' is not a command: expected \"blackhole [clients] [host:port ...]\"", errors.ToString().Trim());
    }

    [Fact]
    public void The_harness_waits_for_the_confirmation_the_replica_prints()
    {
        Assert.Equal(TransportBlackhole.AppliedPrefix, Coordinator.Faults.Cluster.ReplicaNode.AppliedPrefix);
    }
}
