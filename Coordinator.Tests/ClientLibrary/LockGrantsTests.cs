using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

[Trait("Category", "Unit")]
public sealed class LockGrantsTests
{
    private static readonly Acquire Acquire = new("/lock", LockMode.Exclusive, true);

    [Fact]
    public async Task A_late_copy_of_an_old_grant_is_not_taken_for_the_grant_of_a_later_acquire()
    {
        var grants = new LockGrants();
        grants.Answered(Acquire, new LockQueuedResult(1), out var first, out _);
        grants.Granted("/lock", 75)!.SetResult(75);
        Assert.Equal(75, await first!);
        grants.Answered(new Release("/lock"), OkResult.Instance, out _, out _);

        // The next Acquire is in flight when a copy of grant 75 arrives (a replica applying the old slot late).
        Assert.Null(grants.Granted("/lock", 75));
        grants.Answered(Acquire, new LockQueuedResult(1), out var second, out _);

        Assert.False(second!.IsCompleted);
        grants.Granted("/lock", 91)!.SetResult(91);
        Assert.Equal(91, await second);
    }

    [Fact]
    public async Task A_grant_that_overtakes_the_queued_answer_still_completes_the_acquire()
    {
        var grants = new LockGrants();
        grants.Answered(Acquire, new LockAcquiredResult(40), out _, out _);
        grants.Answered(new Release("/lock"), OkResult.Instance, out _, out _);

        Assert.Null(grants.Granted("/lock", 41));
        grants.Answered(Acquire, new LockQueuedResult(1), out var grant, out _);

        Assert.Equal(41, await grant!);
    }

    [Fact]
    public async Task A_queued_upgrade_waits_for_the_write_grant_and_ignores_a_replay_of_its_upgradeable_grant()
    {
        var grants = new LockGrants();
        var upgrade = new Upgrade("/lock", Wait: true);
        grants.Answered(new Acquire("/lock", LockMode.Upgradeable, true), new LockAcquiredResult(12), out _, out _);
        Assert.Equal(["/lock"], grants.Awaited(upgrade));
        grants.Answered(upgrade, new LockQueuedResult(1), out var write, out _);

        // On attach the gateway reports the session's current hold of an awaited lock: still the upgradeable one.
        Assert.Null(grants.Granted("/lock", 12));
        Assert.False(write!.IsCompleted);
        Assert.Equal(["/lock"], grants.Awaited(null));
        grants.Granted("/lock", 30)!.SetResult(30);
        Assert.Equal(30, await write);
        Assert.Empty(grants.Awaited(null));
    }

    [Fact]
    public void A_withdrawn_upgrade_abandons_its_wait()
    {
        var grants = new LockGrants();
        grants.Answered(new Acquire("/lock", LockMode.Upgradeable, true), new LockAcquiredResult(5), out _, out _);
        grants.Answered(new Upgrade("/lock", Wait: true), new LockQueuedResult(1), out var write, out _);
        grants.Answered(new Withdraw("/lock"), OkResult.Instance, out _, out var abandoned);
        Assert.Same(write, abandoned!.Task);
        Assert.Empty(grants.Awaited(new Upgrade("/lock", Wait: false)));
    }
}
