using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using CsCheck;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>
/// Apply is all-or-nothing: an exception thrown at any mutation of a command (staged with the machine's
/// FaultAtMutation seam) answers SystemError, emits nothing, leaves the snapshot bytes as before, and leaves the
/// derived indexes (timers, ephemerals and locks per session) as a restore would rebuild them, which the rest of
/// the workload checks by running the faulted machine beside a restored copy.
/// </summary>
[Trait("Category", "StateMachine")]
public sealed class ApplyAtomicityTests
{
    private const int Seeds = 400;

    [Fact]
    public void A_multi_that_throws_midway_leaves_the_state_exactly_as_before()
    {
        var midway = 0;
        for (var seed = 1; seed <= Seeds; seed++)
        {
            midway += RunWithFaults(seed, step => step.Txn is Multi { Ops.Count: > 1 })
                .Count(f => f.Mutation > 2 && f.Mutation < f.Of);
        }
        Assert.True(midway > 200, $"only {midway} faults between two mutations of a multi's operations");
    }

    [Fact]
    public void A_command_that_throws_anywhere_leaves_the_state_exactly_as_before()
    {
        var fired = new Dictionary<string, int>();
        for (var seed = 1; seed <= Seeds; seed++)
        {
            foreach (var fault in RunWithFaults(seed, _ => true))
            {
                fired[fault.Kind] = fired.GetValueOrDefault(fault.Kind) + 1;
            }
        }
        foreach (var kind in new[] { nameof(Create), nameof(Delete), nameof(SetData), nameof(Acquire), nameof(Release), nameof(CreateSession), nameof(CloseSession), nameof(ExpireSession) })
        {
            Assert.True(fired.GetValueOrDefault(kind) > 20, $"faults in {kind}: {fired.GetValueOrDefault(kind)} ({string.Join(", ", fired)})");
        }
    }

    [Fact]
    public void A_throwing_multi_undoes_creates_sequential_names_and_ephemeral_indexes()
    {
        var harness = new Harness();
        var session = harness.Open(1);
        harness.Do(session, new Create("/q", [], NodeKind.Persistent));
        var before = harness.Machine.Snapshot();
        harness.Machine.FaultAtMutation = 8;
        var result = harness.Run(session, new Multi([
            new Create("/q/n-", [1], NodeKind.PersistentSequential),
            new Create("/q/e", [2], NodeKind.Ephemeral),
            new SetData("/q", [3]),
            new Create("/x/y/z", [], NodeKind.Persistent, CreateParents: true),
        ]));
        harness.Machine.FaultAtMutation = 0;
        Assert.Equal(ErrorCode.SystemError, result.Code);
        Assert.Empty(result.Events);
        Assert.Equal(before, harness.Machine.Snapshot());
        // The ephemeral index was rolled back too: closing the session deletes nothing and emits no node event.
        var closed = harness.Run(session, CloseSession.Instance);
        Assert.DoesNotContain(closed.Events, e => e is NodeDeleted);
        Assert.Equal("/q/n-0000000000", Assert.IsType<CreatedResult>(harness.Do(harness.Open(2), new Create("/q/n-", [], NodeKind.PersistentSequential))).Path);
    }

    private sealed record Fault(string Kind, int Mutation, int Of);

    /// <summary>
    /// Runs seed's workload twice, side by side: a reference machine applies each step once; the other first
    /// applies every step that <paramref name="eligible"/> accepts with a fault at its 1st, 2nd, ... mutation
    /// (each must answer SystemError, emit nothing and keep the snapshot bytes) until one attempt makes fewer
    /// mutations than the fault's position, and that attempt must answer as the reference did. Both must agree
    /// on every later answer and on the final snapshot, which also catches a derived index left wrong.
    /// </summary>
    private static List<Fault> RunWithFaults(int seed, Func<Step, bool> eligible)
    {
        var faults = new List<Fault>();
        var reference = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
        var driver = new Driver(new CoordinatorStateMachine(RandomWorkload.Settings));
        foreach (var step in RandomWorkload.Generate(seed))
        {
            var expected = Driver.Fingerprint(reference.Apply(step));
            if (!eligible(step))
            {
                Assert.True(expected == Driver.Fingerprint(driver.Apply(step)), $"seed {seed}: answers diverged");
                continue;
            }
            var before = driver.Machine.Snapshot();
            driver.Machine.FaultAtMutation = 1;
            var result = driver.Apply(step);
            var (slot, time, session, sequence) = driver.Last;
            var attempts = new List<Fault>();
            while (result.Code == ErrorCode.SystemError)
            {
                Assert.True(result.Events.Count == 0, $"seed {seed}: a failed {step.Txn} emitted events");
                Assert.True(before.AsSpan().SequenceEqual(driver.Machine.Snapshot()), $"seed {seed}: {step.Txn} failed at mutation {driver.Machine.FaultAtMutation} and changed state");
                attempts.Add(new Fault(step.Txn.GetType().Name, driver.Machine.FaultAtMutation, 0));
                driver.Machine.FaultAtMutation++;
                result = driver.Machine.Apply(slot, time, session, sequence, step.Txn);
            }
            driver.Machine.FaultAtMutation = 0;
            Assert.True(expected == Driver.Fingerprint(result), $"seed {seed}: {step.Txn} answered differently after {attempts.Count} faults");
            faults.AddRange(attempts.Select(a => a with { Of = attempts.Count }));
        }
        Assert.True(reference.Machine.Snapshot().AsSpan().SequenceEqual(driver.Machine.Snapshot()), $"seed {seed}: states diverged");
        return faults;
    }
}
