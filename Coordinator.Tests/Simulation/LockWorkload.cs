using Coordinator.Core.Consensus;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.StateMachine;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// Issue 5's lock workload: replicas apply chosen slots to the real <see cref="CoordinatorStateMachine"/> while lock
/// clients acquire, wait, withdraw, hold, renew, release, close and crash, and the simulation plays the leader's
/// ticker and session tracker. Checks, on top of the consensus ones: DESIGN §4 invariant 6 on every replica after
/// every slot, fencing tokens strictly increasing per lock across immediate and queued grants, every replica giving
/// the same results and events for a slot, retries answered with the first result, and, once the network healed,
/// every queued acquire resolved (granted, withdrawn or its session ended) within the liveness bound. One path is a
/// counting semaphore of a max count drawn per run: never more holders than that at any slot on any replica, and
/// its tokens strictly increase like a lock's. Lock clients also hold upgradeable reads and upgrade them: never a
/// writer beside any other holder, never two upgradeable holders, the upgrade's write token above every earlier
/// token of the lock, and every queued upgrade granted, withdrawn or dropped with its holder.
/// </summary>
internal sealed class LockWorkload(Func<StateMachineSettings, byte[]?, LockSimStateMachine>? machineFactory = null) : SimWorkload
{
    private static readonly string[] AllPaths = ["/locks/a", "/locks/b", "/locks/c"];

    private const string SemaphorePath = "/semaphores/s";

    private readonly Func<StateMachineSettings, byte[]?, LockSimStateMachine> _machineFactory =
        machineFactory ?? ((settings, snapshot) => new LockSimStateMachine(settings, snapshot));

    private readonly List<LockClient> _clients = [];
    private readonly Dictionary<long, LockClient> _clientBySession = [];
    private readonly Dictionary<long, long> _abandonedAt = [];
    private readonly Dictionary<long, long> _expiryProposedAt = [];
    private readonly Dictionary<long, object[]> _outcomes = [];
    private readonly Dictionary<(long Session, long Sequence), OpResult> _firstResults = [];
    private readonly Dictionary<string, long> _lastToken = new(StringComparer.Ordinal);
    private readonly Dictionary<(long Session, string Path), long> _waitingSince = [];
    private readonly HashSet<(long Session, string Path)> _upgrading = [];
    private readonly Dictionary<string, long> _counters = [];

    private ISimHost _host = null!;
    private StateMachineSettings _settings = StateMachineSettings.Default;
    private long _tickInterval;
    private long _nextTick;

    public IReadOnlyList<string> Paths { get; private set; } = AllPaths;

    /// <summary>The semaphore paths among <see cref="Paths"/>, with the max count every client asks for.</summary>
    public IReadOnlyDictionary<string, int> Semaphores { get; private set; } = new Dictionary<string, int>();

    public override IReadOnlyDictionary<string, long> Counters => _counters;

    public override void Start(ISimHost host)
    {
        _host = host;
        // Lock-delay from off to longer than most holds, so runs cover waiters behind a vanished holder.
        _settings = new StateMachineSettings { LockDelayMs = host.Random.Pick([0L, 200L, 1_000L, 3_000L]) };
        Paths = AllPaths[..(int)host.Random.Between(1, AllPaths.Length)];
        _tickInterval = host.Random.Between(200, 1_000);
        host.After(host.Random.Between(1, 100), LeaderDuties);
        // Max count 1 is a mutex by another road; 2 and 3 keep a queue behind a full semaphore with five clients.
        Semaphores = new Dictionary<string, int>(StringComparer.Ordinal) { [SemaphorePath] = (int)host.Random.Between(1, 3) };
        Paths = [.. Paths, SemaphorePath];
    }

    public override ISimStateMachine CreateMachine(byte[]? snapshot) => _machineFactory(_settings, snapshot);

    public override IReadOnlyList<SimClient> CreateClients(SimulationOptions options)
    {
        _clients.AddRange(Enumerable.Range(0, options.Clients).Select(index => new LockClient(index, this)));
        return _clients;
    }

    public void Register(LockClient client) => _clientBySession[client.SessionId] = client;

    /// <summary>The client crashed with this session open: only the tracker's expiry will end it now.</summary>
    public void Abandon(long sessionId)
    {
        _abandonedAt[sessionId] = _host.Now;
        Count("client crashes");
    }

    public override bool IsAbandoned(long sessionId) => _abandonedAt.ContainsKey(sessionId);

    public override void AfterSlot(SimReplica replica, long slot, bool first)
    {
        var machine = (LockSimStateMachine)replica.Machine;
        if (LockInvariants.Violation(machine.State, Semaphores) is { } unsafeLock)
        {
            _host.Fail($"lock safety: replica {replica.Id} after slot {slot}: {unsafeLock}");
            return;
        }
        var outcome = machine.LastSlot.SelectMany(entry => entry.Flattened()).ToArray();
        if (!first)
        {
            if (_outcomes.TryGetValue(slot, out var expected) && !expected.SequenceEqual(outcome))
            {
                _host.Fail($"outcome: replica {replica.Id} applied slot {slot} as [{string.Join(", ", outcome)}], another replica as [{string.Join(", ", expected)}]");
            }
            return;
        }
        _outcomes[slot] = outcome;
        foreach (var entry in machine.LastSlot)
        {
            Observe(slot, entry);
        }
    }

    public override string? Unfinished()
    {
        var problems = new List<string>();
        var busy = _clients.Where(client => !client.IsDone).Select(client => $"client {client.Index} {client.Phase} current {client.Current} session {client.SessionId}").ToList();
        if (busy.Count > 0)
        {
            problems.Add($"lock clients not done: {string.Join(", ", busy)}");
        }
        if (_waitingSince.Count > 0)
        {
            problems.Add($"unresolved waits: {string.Join(", ", _waitingSince.Select(w => $"session {w.Key.Session} on {w.Key.Path} since t={w.Value}"))}");
        }
        foreach (var replica in _host.Replicas)
        {
            var state = ((LockSimStateMachine)replica.Machine).State;
            var queued = state.LockPaths().Where(path => state.GetLock(path) is { } info && (info.Waiters.Count > 0 || info.UpgradePending)).ToList();
            if (queued.Count > 0)
            {
                problems.Add($"replica {replica.Id} still queues waiters on {string.Join(", ", queued)}");
            }
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Checks one command of a slot's first application and tells its client; slots arrive in order.</summary>
    private void Observe(long slot, LockSlotEntry entry)
    {
        // Timers run before the command and promotions after it; an immediate grant only happens with no queue,
        // so no event of the same command carries a later token than the command's own grant.
        foreach (var e in entry.Events)
        {
            switch (e)
            {
                case LockGranted granted:
                    Count(_upgrading.Remove((granted.SessionId, granted.Path)) ? "queued upgrades granted"
                        : Semaphores.ContainsKey(granted.Path) ? "queued semaphore grants" : "queued grants");
                    CheckToken(granted.Path, granted.Token, slot);
                    if (!_waitingSince.Remove((granted.SessionId, granted.Path)))
                    {
                        _host.Fail($"lock {granted.Path} granted at slot {slot} to session {granted.SessionId}, which was not waiting");
                    }
                    break;
                case LockLost lost:
                    Count("leases lost");
                    // Only a holder loses a lock, and a holder waits for nothing on it but its upgrade, which goes too.
                    _waitingSince.Remove((lost.SessionId, lost.Path));
                    _upgrading.Remove((lost.SessionId, lost.Path));
                    break;
                case SessionExpired or SessionClosed:
                    Count(e is SessionExpired ? "sessions expired" : "sessions closed");
                    var session = e is SessionExpired expired ? expired.SessionId : ((SessionClosed)e).SessionId;
                    foreach (var wait in _waitingSince.Keys.Where(key => key.Session == session).ToList())
                    {
                        _waitingSince.Remove(wait);
                        _upgrading.Remove(wait);
                    }
                    break;
            }
            if (SessionOf(e) is { } addressee && ClientOf(addressee) is { } client)
            {
                Report(client.OnEvent(e, _host.Random, _host.Now));
            }
        }
        var command = entry.Command;
        if (command.SessionId == CoordinatorStateMachine.SystemSessionId)
        {
            return;
        }
        var key = (command.SessionId, command.Sequence);
        if (!entry.Fresh)
        {
            if (entry.Result.Code is not (ErrorCode.SessionExpired or ErrorCode.StaleSequence)
                && _firstResults.TryGetValue(key, out var firstResult) && !firstResult.Equals(entry.Result))
            {
                _host.Fail($"exactly-once: retry of {command} at slot {slot} answered {entry.Result}, the first application {firstResult}");
            }
            return;
        }
        _firstResults[key] = entry.Result;
        switch (entry.Transaction, entry.Result)
        {
            case (Acquire acquire, LockAcquiredResult acquired):
                Count(acquire.MaxCount is not null ? "immediate semaphore grants"
                    : acquire.Mode == LockMode.Upgradeable ? "immediate upgradeable grants" : "immediate grants");
                CheckToken(acquire.Path, acquired.Token, slot);
                break;
            case (Acquire acquire, LockQueuedResult):
                Count("queued acquires");
                _waitingSince[(command.SessionId, acquire.Path)] = _host.Now;
                break;
            case (Upgrade upgrade, LockAcquiredResult upgraded):
                Count("immediate upgrades");
                CheckToken(upgrade.Path, upgraded.Token, slot);
                break;
            case (Upgrade upgrade, LockQueuedResult):
                Count("queued upgrades");
                _waitingSince[(command.SessionId, upgrade.Path)] = _host.Now;
                _upgrading.Add((command.SessionId, upgrade.Path));
                break;
            case (Withdraw withdraw, { IsOk: true }):
                Count(_upgrading.Remove((command.SessionId, withdraw.Path)) ? "upgrades withdrawn" : "withdrawals");
                if (!_waitingSince.Remove((command.SessionId, withdraw.Path)))
                {
                    _host.Fail($"session {command.SessionId} withdrew from {withdraw.Path} at slot {slot} without waiting for it");
                }
                break;
        }
        if (ClientOf(command.SessionId) is { } owner)
        {
            Report(owner.OnResult(command, entry.Result, _host.Random, _host.Now));
        }
    }

    private void CheckToken(string path, long token, long slot)
    {
        if (_lastToken.TryGetValue(path, out var last) && token <= last)
        {
            _host.Fail($"fencing token: lock {path} granted token {token} at slot {slot}, not above the previous grant's {last}");
        }
        _lastToken[path] = token;
    }

    private LockClient? ClientOf(long sessionId) =>
        _clientBySession.TryGetValue(sessionId, out var client) && client.SessionId == sessionId && !IsAbandoned(sessionId)
            ? client
            : null;

    private static long? SessionOf(StateMachineEvent e) => e switch
    {
        LockGranted granted => granted.SessionId,
        LockLost lost => lost.SessionId,
        SessionExpired expired => expired.SessionId,
        SessionClosed closed => closed.SessionId,
        _ => null,
    };

    private void Report(string? violation)
    {
        if (violation is not null)
        {
            _host.Fail($"lock client: {violation}");
        }
    }

    /// <summary>
    /// The leader's periodic work: a Tick so lock-delays end and leases lapse without client writes, and the session
    /// tracker, which expires sessions of crashed clients and, during the chaos, now and then a live one (a client
    /// whose heartbeats a partition swallowed).
    /// </summary>
    private void LeaderDuties()
    {
        var now = _host.Now;
        if (now >= _nextTick)
        {
            _host.ProposeAsSystem(Tick.Instance);
            _nextTick = now + _tickInterval;
        }
        var leader = _host.Replicas.FirstOrDefault(replica => replica.Core?.Role == ProposerRole.Leader);
        if (leader?.Machine is LockSimStateMachine { State: var state })
        {
            foreach (var (session, abandonedAt) in _abandonedAt)
            {
                if (now - abandonedAt >= 300
                    && state.GetSession(session) is not null
                    && (!_expiryProposedAt.TryGetValue(session, out var proposed) || now - proposed >= 300))
                {
                    _expiryProposedAt[session] = now;
                    _host.ProposeAsSystem(new ExpireSession(session));
                }
            }
            if (!_host.Healed && _host.Random.Chance(0.01))
            {
                var live = _clients.Where(client => client.Phase is not (LockClientPhase.NoSession or LockClientPhase.Crashed or LockClientPhase.Done)
                    && state.GetSession(client.SessionId) is not null).ToList();
                if (live.Count > 0)
                {
                    _host.ProposeAsSystem(new ExpireSession(_host.Random.Pick(live).SessionId));
                }
            }
        }
        _host.After(100, LeaderDuties);
    }

    private void Count(string what) => _counters[what] = _counters.GetValueOrDefault(what) + 1;
}
