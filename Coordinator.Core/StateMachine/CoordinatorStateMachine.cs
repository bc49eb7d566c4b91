using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// The replicated state machine: node tree, sessions, locks and the exactly-once table. Learners call
/// <see cref="Apply"/> for each command of each chosen slot, in order; everything it decides depends only on
/// its state and the arguments, so every replica reaches byte-identical state (<see cref="Snapshot"/>).
/// Single-threaded: the owning actor serializes calls.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    /// <summary>The session id of commands proposed by the leader itself (session tracker, ticks).</summary>
    public const long SystemSessionId = 0;

    private readonly StateMachineSettings _settings;
    private readonly DataNode _root;
    private readonly Dictionary<long, Session> _sessions = [];
    private readonly Dictionary<string, LockState> _locks = new(StringComparer.Ordinal);
    private readonly SortedSet<TimerEntry> _timers = [];

    // Containers that lost their last child during the current Apply; reaped when the command is done, so a
    // multi that empties a container and refills it still succeeds, as with ZooKeeper's background reaper.
    private readonly List<string> _emptiedContainers = [];

    private long _lastSlot;
    private MachineTime _time;
    private long _lastToken;

    // Per-Apply context: the slot being applied and the events it caused (the undo log is in the Undo part).
    private long _slot;
    private List<StateMachineEvent> _events = [];

    public CoordinatorStateMachine(StateMachineSettings? settings = null)
    {
        _settings = settings ?? StateMachineSettings.Default;
        _root = new DataNode(NodeKind.Persistent, [], 0, 0, 0, null);
    }

    public StateMachineSettings Settings => _settings;

    public long LastAppliedSlot => _lastSlot;

    /// <summary>Wall-clock slot time as of the last Apply: the latest leader stamp seen, for Stat times.</summary>
    public long Now => _time.Now;

    /// <summary>Duration-clock time as of the last Apply: what lease, TTL and lock-delay deadlines are kept on.</summary>
    public long Clock => _time.Clock;

    /// <summary>The last fencing token issued; tokens come from one counter, so they increase across all locks.</summary>
    public long LastToken => _lastToken;

    /// <summary>
    /// Apply one command of a chosen slot. Several commands may share a slot (a batch, so the same
    /// <paramref name="time"/>); slots must not go backwards. Time-driven work due at this slot's time runs first,
    /// then the command. Never throws: a command that throws anywhere answers SystemError with no events and leaves
    /// the machine exactly as before the call (slot and time included; the due work then runs with the next Apply,
    /// on every replica alike).
    /// </summary>
    /// <exception cref="InvalidOperationException">A snapshot capture is in progress (a caller's bug, not a command's).</exception>
    public ApplyResult Apply(long slot, SlotTime time, long sessionId, long sequence, Transaction txn)
    {
        if (_capturesInProgress > 0)
        {
            throw new InvalidOperationException("A snapshot capture is in progress: the state machine must not change until it completes.");
        }
        if (slot < _lastSlot)
        {
            return new ApplyResult(Error(ErrorCode.SlotRegression), []);
        }
        var (lastSlot, lastTime) = (_lastSlot, _time);
        _lastSlot = slot;
        _slot = slot;
        _events = [];
        OpResult result;
        try
        {
            AdvanceTime(time);
            RunTimers();
            result = Dispatch(sessionId, sequence, txn);
            // The command may have made something due at this very time (a TTL node losing its last child
            // long after its TTL); settle it now, so no Apply ever leaves due work for the next one.
            do
            {
                ReapEmptiedContainers();
            }
            while (RunTimers());
        }
        catch (Exception)
        {
            RollBack(default);
            (_lastSlot, _time) = (lastSlot, lastTime);
            result = Error(ErrorCode.SystemError);
        }
        finally
        {
            _undo.Clear();
            _emptiedContainers.Clear();
        }
        RememberEndedSessions();
        return new ApplyResult(result, _events);
    }

    private OpResult Dispatch(long sessionId, long sequence, Transaction? txn)
    {
        if (txn is null)
        {
            return BadArguments($"the command carries no transaction");
        }
        if (sessionId == SystemSessionId)
        {
            return txn switch
            {
                TouchSession t => Touch(t.SessionId),
                ExpireSession t => EndSession(t.SessionId, expired: true),
                Tick or Sync => OkResult.Instance,
                _ => Error(ErrorCode.NotAllowed),
            };
        }
        if (txn is CreateSessionAs or SetPassword or CreateCertifiedSession or AuthenticateSessionAs)
        {
            // Client-side forms a gateway always replaces: they carry a password or a proof, which the log never does.
            return Error(ErrorCode.NotAllowed);
        }
        if (txn is CreateSession create)
        {
            return OpenSession(sessionId, sequence, create);
        }
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return Error(ErrorCode.SessionExpired);
        }
        if (sequence < session.LastSequence)
        {
            return Error(ErrorCode.StaleSequence);
        }
        if (sequence == session.LastSequence && session.LastResult is { } cached)
        {
            return cached;
        }
        // One undo entry keeps the session's seen time and exactly-once entry for both changes below.
        RecordSession(session);
        session.LastSeen = _time.Now;
        var result = Execute(session, txn);
        if (_sessions.ContainsKey(sessionId))
        {
            session.LastSequence = sequence;
            session.LastResult = result;
        }
        return result;
    }

    private OpResult Execute(Session session, Transaction txn) => txn switch
    {
        CloseSession => EndSession(session.Id, expired: false),
        Create or Delete or SetData or Check => Atomically(session.Id, txn),
        Multi m => RunMulti(session.Id, m),
        Sync => OkResult.Instance,
        Acquire a => AcquireLock(session, a),
        Release r => ReleaseLock(session, r.Path),
        Withdraw w => WithdrawWaiter(session, w.Path),
        RenewLease r => Renew(session, r.Path),
        CheckToken c => CheckLockToken(session.Id, c),
        Upgrade u => UpgradeLock(session, u),
        SetAcl a => SetNodeAcl(session.Id, a),
        StoreUser u => StoreUserDigest(session, u),
        AuthenticateSession a => Authenticate(session, a),
        RemoveUser u => RemoveUserDigest(session, u),
        _ => Error(ErrorCode.NotAllowed),
    };

    /// <summary>Runs a tree command so that a failure leaves no trace: state, events and pending reaps roll back.</summary>
    private OpResult Atomically(long sessionId, Transaction txn)
    {
        var mark = Mark();
        var result = TreeOp(sessionId, txn);
        if (!result.IsOk)
        {
            RollBack(mark);
        }
        return result;
    }

    /// <summary>Fires every timer due at or before the current slot time; says whether any was due.</summary>
    private bool RunTimers()
    {
        var any = false;
        while (_timers.Count > 0)
        {
            var timer = _timers.Min;
            if (timer.Due > _time.Clock)
            {
                break;
            }
            any = true;
            RemoveTimer(timer);
            switch (timer.Kind)
            {
                case TimerKind.NodeTtl:
                    ReapTtlNode(timer);
                    break;
                case TimerKind.LeaseLapse:
                    LapseLeases(timer);
                    break;
                case TimerKind.LockDelayEnd:
                    EndLockDelay(timer);
                    break;
            }
        }
        return any;
    }

    private static ErrorResult Error(ErrorCode code) => new(code);

    /// <summary>
    /// A refused argument; the reason names it and what it may be, and reaches the caller's exception. Formatted
    /// invariantly: it is cached as the command's result, so every replica must write the same bytes.
    /// </summary>
    private static ErrorResult BadArguments(FormattableString reason) => new(ErrorCode.BadArguments, FormattableString.Invariant(reason));
}
