using Coordinator.Client;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Client;

/// <summary>
/// Issue 15 finding 8 end to end: a TTL or lease out of range, and every other refused argument, reaches the caller as
/// an exception whose message names the argument and its allowed range; the client's own option checks do too.
/// </summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientBadArgumentTests : IAsyncLifetime
{
    private static readonly StateMachineSettings Limits = StateMachineSettings.Default;
    private ClientCluster _cluster = null!;
    private CoordinatorClient _client = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClientCluster.StartAsync();
        _client = await _cluster.ConnectAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_ttl_or_lease_out_of_range_says_which_and_what_it_may_be()
    {
        var zeroTtl = await Assert.ThrowsAsync<CoordinatorException>(() => _client.CreateAsync("/t", [], NodeKind.PersistentWithTtl, TimeSpan.Zero));
        Assert.Equal(ErrorCode.BadArguments, zeroTtl.Code);
        Assert.Equal($"BadArguments: /t: ttl 0 ms is out of range: must be between 1 ms and {Limits.MaxNodeTtlMs} ms", zeroTtl.Message);

        var noTtl = await Assert.ThrowsAsync<CoordinatorException>(() => _client.CreateAsync("/t", [], NodeKind.PersistentSequentialWithTtl));
        Assert.Contains($"ttl is missing: kind PersistentSequentialWithTtl needs one between 1 ms and {Limits.MaxNodeTtlMs} ms", noTtl.Message);

        var plainTtl = await Assert.ThrowsAsync<CoordinatorException>(() => _client.CreateAsync("/t", [], NodeKind.Persistent, TimeSpan.FromSeconds(1)));
        Assert.Contains("ttl 1000 ms is for TTL nodes only: kind Persistent takes none", plainTtl.Message);

        var longLease = await Assert.ThrowsAsync<CoordinatorException>(() => _client.AcquireLockAsync("/l", leaseTtl: TimeSpan.FromHours(25)));
        Assert.Equal(ErrorCode.BadArguments, longLease.Code);
        Assert.Equal($"BadArguments: /l: lease ttl {25L * 3_600_000} ms is out of range: must be between 1 ms and {Limits.MaxLeaseTtlMs} ms", longLease.Message);

        var negativeLease = await Assert.ThrowsAsync<CoordinatorException>(() => _client.AcquireLockAsync("/l", wait: false, leaseTtl: TimeSpan.FromSeconds(-1)));
        Assert.Contains($"lease ttl -1000 ms is out of range: must be between 1 ms and {Limits.MaxLeaseTtlMs} ms", negativeLease.Message);

        var badMode = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.AcquireLockAsync("/l", (LockMode)9));
        Assert.Equal("mode", badMode.ParamName);
        Assert.StartsWith("mode 9 is not a lock mode: must be Exclusive, Shared or Upgradeable.", badMode.Message);

        // Nothing was created or granted, and the session carries on.
        Assert.Null(await _client.ExistsAsync("/t"));
        Assert.True(await _client.AcquireLockAsync("/l", leaseTtl: TimeSpan.FromSeconds(30)) > 0);
    }

    [Fact]
    public async Task Other_refused_arguments_say_what_is_wrong_too()
    {
        var kind = await Assert.ThrowsAsync<CoordinatorException>(() => _client.CreateAsync("/k", [], (NodeKind)42));
        Assert.Contains("kind 42 is not a node kind: must be one of", kind.Message);

        var root = await Assert.ThrowsAsync<CoordinatorException>(() => _client.DeleteAsync("/"));
        Assert.Equal("BadArguments: /: path / cannot be deleted: it must name a node below the root", root.Message);

        var multi = await Assert.ThrowsAsync<CoordinatorException>(() => _client.MultiAsync(
            [Op.Create("/m", []), Op.Create("/m/t", [], NodeKind.PersistentWithTtl)]));
        Assert.Equal($"BadArguments: /m/t: ttl is missing: kind PersistentWithTtl needs one between 1 ms and {Limits.MaxNodeTtlMs} ms", multi.Message);
        Assert.Null(await _client.ExistsAsync("/m"));

        var tooMany = await Assert.ThrowsAsync<CoordinatorException>(() => _client.MultiAsync(Enumerable.Repeat(Op.Check("/", -1), Limits.MaxMultiOps + 1)));
        Assert.Contains($"multi of {Limits.MaxMultiOps + 1} ops is too large: must be at most {Limits.MaxMultiOps} ops", tooMany.Message);
    }

    [Fact]
    public async Task Client_options_out_of_range_name_the_option_and_its_range()
    {
        var session = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], SessionTimeout = TimeSpan.Zero }));
        Assert.Equal(nameof(CoordinatorClientOptions.SessionTimeout), session.ParamName);
        Assert.StartsWith("SessionTimeout is 00:00:00: must be more than zero.", session.Message);

        var request = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], RequestTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Equal(nameof(CoordinatorClientOptions.RequestTimeout), request.ParamName);
        Assert.StartsWith("RequestTimeout is -00:00:01: must be more than zero.", request.Message);

        var connect = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], ConnectTimeout = TimeSpan.Zero }));
        Assert.Equal(nameof(CoordinatorClientOptions.ConnectTimeout), connect.ParamName);

        var data = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], MaxDataBytes = -1 }));
        Assert.StartsWith("MaxDataBytes is -1: must be 0 or more.", data.Message);

        var bytes = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], MaxRequestBytes = 0 }));
        Assert.StartsWith("MaxRequestBytes is 0: must be 1 or more.", bytes.Message);

        var servers = await Assert.ThrowsAsync<ArgumentException>(() => CoordinatorClient.ConnectAsync(new CoordinatorClientOptions()));
        Assert.StartsWith("Servers is empty: at least one \"host:port\" is required.", servers.Message);

        var port = await Assert.ThrowsAsync<ArgumentException>(() => CoordinatorClient.ConnectAsync(new CoordinatorClientOptions { Servers = ["127.0.0.1:70000"] }));
        Assert.StartsWith("server '127.0.0.1:70000' is not host:port with a port between 1 and 65535.", port.Message);
    }
}
