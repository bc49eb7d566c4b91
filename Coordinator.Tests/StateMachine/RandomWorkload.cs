using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using CsCheck;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>
/// One step of a random workload: who sends it, whether it is a fresh, duplicate or stale sequence, what it
/// does, how far real time moved before its slot, and which leader made its batch: the current one (0), a new one
/// with a higher term (1), or the one before, re-proposed after the current one appeared (-1).
/// </summary>
internal sealed record Step(long Session, SequenceMode Mode, Transaction Txn, int AdvanceMs, int TermShift = 0)
{
    public bool IsSystem => Txn is ExpireSession or TouchSession or Tick;
}

internal enum SequenceMode
{
    Next,
    Duplicate,
    Stale,
}

/// <summary>CsCheck generators over a small path and session space, so operations collide often.</summary>
internal static class RandomWorkload
{
    private static readonly string[] Paths = ["/a", "/a/b", "/a/c", "/a/b/d", "/b", "/b/x", "/c", "/c/y", "/a/"];
    private static readonly string[] LockPaths = ["/l1", "/l2"];

    public static readonly Gen<long> Session = Gen.Long[1, 4];

    private static readonly Gen<string> Path = Gen.OneOf(Paths);
    private static readonly Gen<string> LockPath = Gen.OneOf(LockPaths);
    private static readonly Gen<byte[]> Data = Gen.Byte.Array[0, 6];
    private static readonly Gen<int> Version = Gen.Int[-1, 3];

    private static readonly Gen<Transaction> Create =
        Gen.Select(Path, Data, Gen.Int[0, 6], Gen.Bool, (path, data, kind, parents) =>
            (Transaction)new Create(path, data, (NodeKind)kind, NodeKinds.HasTtl((NodeKind)kind) ? 700 : null, parents));

    private static readonly Gen<Transaction> TreeOp = Gen.Frequency(
        (4, Create),
        (2, Gen.Select(Path, Version, (p, v) => (Transaction)new Delete(p, v))),
        (3, Gen.Select(Path, Data, Version, (p, d, v) => (Transaction)new SetData(p, d, v))),
        (1, Gen.Select(Path, Version, (p, v) => (Transaction)new Coordinator.Core.Protocol.Check(p, v))));

    private static readonly Gen<Transaction> LockOp = Gen.Frequency(
        (3, Gen.Select(LockPath, Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 2], (p, shared, wait, lease) =>
            (Transaction)new Acquire(p, shared ? LockMode.Shared : LockMode.Exclusive, wait > 0, lease == 0 ? 900 : null))),
        (5, LockPath.Select(p => (Transaction)new Release(p))),
        (1, LockPath.Select(p => (Transaction)new Withdraw(p))),
        (1, LockPath.Select(p => (Transaction)new RenewLease(p))),
        (1, Gen.Select(LockPath, Gen.Long[0, 40], (p, t) => (Transaction)new CheckToken(p, t))));

    private static readonly Gen<Transaction> Txn = Gen.Frequency(
        (10, TreeOp),
        (2, TreeOp.Array[1, 4].Select(ops => (Transaction)new Multi(ops))),
        (12, LockOp),
        (5, Gen.Int[1_000, 20_000].Select(t => (Transaction)new CreateSession(t, 1))),
        (1, Gen.Const((Transaction)CloseSession.Instance)),
        (1, Session.Select(s => (Transaction)new ExpireSession(s))),
        (1, Session.Select(s => (Transaction)new TouchSession(s))),
        (1, Gen.Const((Transaction)Tick.Instance)),
        (1, Gen.Const((Transaction)Sync.Instance)));

    private static readonly Gen<SequenceMode> Mode = Gen.Frequency(
        (12, Gen.Const(SequenceMode.Next)), (2, Gen.Const(SequenceMode.Duplicate)), (1, Gen.Const(SequenceMode.Stale)));

    private static readonly Gen<int> TermShift = Gen.Frequency((24, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(-1)));

    public static readonly Gen<Step> Step = Gen.Select(Session, Mode, Txn, Gen.OneOf(0, 0, 10, 300, 1_500, 6_000), TermShift,
        (s, m, t, a, shift) => new Step(s, m, t, a, shift));

    public static readonly Gen<Step[]> Steps = Step.Array[20, 120];

    /// <summary>
    /// Settings for machines this workload drives: it reuses four session ids after they end, which clients never do
    /// (their ids are random), so an ended session's id is refused to a new create for a second only.
    /// </summary>
    public static StateMachineSettings Settings { get; } = StateMachineSettings.Default with { EndedSessionRetentionMs = 1_000 };

    /// <summary>Every workload starts with its sessions open, so most commands do real work.</summary>
    public static Step[] Generate(int seed) =>
    [
        .. Enumerable.Range(1, 4).Select(s => new Step(s, SequenceMode.Next, new CreateSession(10_000, 1), 0)),
        .. Steps.Generate(new PCG(1, (ulong)seed), null, out _),
    ];
}

/// <summary>
/// Feeds steps to a machine as a learner would, keeping the slot, real time, the current term and per-session
/// sequences. Each term's leader has its own wall-clock offset (up to a minute either way) and its own monotonic
/// clock base, as real leaders do.
/// </summary>
internal sealed class Driver(CoordinatorStateMachine machine)
{
    private readonly Dictionary<long, long> _sequences = [];

    public CoordinatorStateMachine Machine { get; } = machine;

    public long Slot { get; private set; }

    public long Time { get; private set; } = 1_000_000;

    public long Term { get; private set; } = 1;

    public (long Slot, SlotTime Time, long Session, long Sequence) Last { get; private set; }

    public Driver Fork() => Fork(CoordinatorStateMachine.Restore(Machine.Snapshot(), Machine.Settings));

    public Driver Fork(CoordinatorStateMachine machine)
    {
        var copy = new Driver(machine) { Slot = Slot, Time = Time, Term = Term, Last = Last };
        foreach (var (session, sequence) in _sequences)
        {
            copy._sequences[session] = sequence;
        }
        return copy;
    }

    public ApplyResult Apply(Step step)
    {
        Time += step.AdvanceMs;
        Term += Math.Max(step.TermShift, 0);
        var term = step.TermShift < 0 ? Math.Max(1, Term - 1) : Term;
        var time = new SlotTime(Time + ((term % 3) - 1) * 60_000, new Ballot(term, (int)(term % 3) + 1), Time + (term * 1_000_003 % 5_000_000));
        Slot++;
        var session = step.IsSystem ? CoordinatorStateMachine.SystemSessionId : step.Session;
        long sequence = 0;
        if (!step.IsSystem)
        {
            var last = _sequences.GetValueOrDefault(step.Session);
            sequence = step.Mode switch
            {
                SequenceMode.Duplicate => last,
                SequenceMode.Stale => last - 1,
                _ => last + 1,
            };
            _sequences[step.Session] = Math.Max(last, sequence);
        }
        Last = (Slot, time, session, sequence);
        return Machine.Apply(Slot, time, session, sequence, step.Txn);
    }

    /// <summary>Byte form of a result and its events, for comparing two replicas' outputs exactly.</summary>
    public static string Fingerprint(ApplyResult result) =>
        Convert.ToHexString(ResultCodec.Encode(result.Result)) + "|" + string.Join(';', result.Events);
}
