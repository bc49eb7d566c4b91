using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>
/// Seeded properties over random workloads (CsCheck generators, fixed PCG seeds so every run and every
/// failure replays exactly; a failing seed is named in the assertion message).
/// </summary>
[Trait("Category", "StateMachine")]
public sealed class StateMachinePropertyTests
{
    private const int Seeds = 400;

    [Fact]
    public void Two_replicas_fed_the_same_commands_stay_byte_identical()
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var a = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
            var b = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
            foreach (var step in RandomWorkload.Generate(seed))
            {
                var ra = a.Apply(step);
                var rb = b.Apply(step);
                Assert.True(Driver.Fingerprint(ra) == Driver.Fingerprint(rb), $"seed {seed}: results differ");
                Assert.NotEqual(ErrorCode.SystemError, ra.Code);
            }
            Assert.True(a.Machine.Snapshot().AsSpan().SequenceEqual(b.Machine.Snapshot()), $"seed {seed}: snapshots differ");
        }
    }

    [Fact]
    public void Snapshot_then_restore_gives_the_same_state_and_the_same_future()
    {
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var steps = RandomWorkload.Generate(seed);
            var original = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
            var cut = steps.Length / 2;
            foreach (var step in steps[..cut])
            {
                original.Apply(step);
            }
            var snapshot = original.Machine.Snapshot();
            var restored = original.Fork();
            Assert.True(snapshot.AsSpan().SequenceEqual(restored.Machine.Snapshot()), $"seed {seed}: restore changed state");
            foreach (var step in steps[cut..])
            {
                var expected = Driver.Fingerprint(original.Apply(step));
                Assert.True(expected == Driver.Fingerprint(restored.Apply(step)), $"seed {seed}: restored replica answered differently");
            }
            Assert.True(original.Machine.Snapshot().AsSpan().SequenceEqual(restored.Machine.Snapshot()), $"seed {seed}: futures diverged");
        }
    }

    [Fact]
    public void A_duplicate_command_returns_the_cached_result_and_changes_nothing()
    {
        var duplicates = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var driver = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
            foreach (var step in RandomWorkload.Generate(seed))
            {
                var first = driver.Apply(step);
                var (slot, time, session, sequence) = driver.Last;
                if (session == CoordinatorStateMachine.SystemSessionId || step.Txn is CloseSession || first.Code is ErrorCode.SessionExpired or ErrorCode.StaleSequence or ErrorCode.SessionExists)
                {
                    continue;
                }
                var before = driver.Machine.Snapshot();
                var again = driver.Machine.Apply(slot, time, session, sequence, step.Txn);
                Assert.True(
                    Convert.ToHexString(ResultCodec.Encode(first.Result)) == Convert.ToHexString(ResultCodec.Encode(again.Result)),
                    $"seed {seed}: duplicate answered differently");
                Assert.Empty(again.Events);
                Assert.True(before.AsSpan().SequenceEqual(driver.Machine.Snapshot()), $"seed {seed}: duplicate changed state");
                duplicates++;
            }
        }
        Assert.True(duplicates > 1_000, $"only {duplicates} duplicates exercised");
    }

    [Fact]
    [Trait("Category", "Locks")]
    public void Lock_safety_holds_at_every_slot()
    {
        var queuedGrants = 0;
        var lapses = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var driver = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings with { LockDelayMs = 1_000 }));
            var lastToken = 0L;
            foreach (var step in RandomWorkload.Generate(seed))
            {
                var result = driver.Apply(step);
                var issued = result.Events.OfType<LockGranted>().Select(g => g.Token).ToList();
                queuedGrants += issued.Count;
                lapses += result.Events.OfType<LockLost>().Count();
                if (step.Mode == SequenceMode.Next && result.Result is LockAcquiredResult acquired)
                {
                    issued.Add(acquired.Token);
                }
                foreach (var token in issued.Order())
                {
                    Assert.True(token > lastToken, $"seed {seed}: token {token} after {lastToken}");
                    lastToken = token;
                }
                LockInvariants.AssertSafe(driver.Machine, $"seed {seed} slot {driver.Slot}");
            }
        }
        Assert.True(queuedGrants > 100 && lapses > 50, $"workload too tame: {queuedGrants} queued grants, {lapses} lapses");
    }

    [Fact]
    public void Fuzzed_arguments_never_throw_out_of_apply()
    {
        var rng = new Random(7);
        string RandomPath() => rng.Next(6) switch
        {
            0 => null!,
            1 => string.Empty,
            2 => "/" + new string((char)rng.Next(0, 0x10000), rng.Next(0, 3)),
            3 => "/" + new string('x', rng.Next(1000, 1100)),
            4 => string.Join('/', Enumerable.Range(0, rng.Next(0, 5)).Select(_ => rng.Next(3) switch { 0 => "..", 1 => "", _ => "n" })),
            _ => "/a" + (rng.Next(2) == 0 ? "/b" : "/"),
        };
        var machine = new CoordinatorStateMachine();
        var slot = 0L;
        for (var i = 0; i < 20_000; i++)
        {
            var session = rng.Next(4) switch { 0 => 0, 1 => rng.NextInt64(), _ => rng.Next(1, 4) };
            Transaction txn = rng.Next(12) switch
            {
                0 => new CreateSession(rng.Next(int.MinValue, int.MaxValue), rng.NextInt64()),
                1 => new Create(RandomPath(), rng.Next(8) == 0 ? null! : new byte[rng.Next(0, 3) == 0 ? 1_048_577 : rng.Next(0, 10)],
                    (NodeKind)rng.Next(0, 9), rng.Next(3) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : null, rng.Next(2) == 0),
                2 => new Delete(RandomPath(), rng.Next(-3, 3)),
                3 => new SetData(RandomPath(), rng.Next(8) == 0 ? null! : new byte[rng.Next(0, 10)], rng.Next(int.MinValue, int.MaxValue)),
                4 => new Check(RandomPath(), rng.Next(-2, 2)),
                5 => new Multi(rng.Next(8) == 0 ? null! : [new Delete(RandomPath()), new Acquire(RandomPath(), LockMode.Shared, true), null!]),
                6 => new Acquire(RandomPath(), (LockMode)rng.Next(0, 4), rng.Next(2) == 0, rng.Next(2) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : null),
                7 => new Release(RandomPath()),
                8 => new RenewLease(RandomPath()),
                9 => new CheckToken(RandomPath(), rng.NextInt64()),
                10 => new ExpireSession(rng.Next(0, 4)),
                _ => new Withdraw(RandomPath()),
            };
            slot += rng.Next(0, 2);
            var timestamp = rng.Next(20) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : i * 100L;
            var result = machine.Apply(slot, SlotTime.Untermed(timestamp), session, rng.Next(-1, 1_000), txn);
            Assert.NotEqual(ErrorCode.SystemError, result.Code);
        }
        var restored = CoordinatorStateMachine.Restore(machine.Snapshot());
        Assert.Equal(machine.Snapshot(), restored.Snapshot());
    }
}
