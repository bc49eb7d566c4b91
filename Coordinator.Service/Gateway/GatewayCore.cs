using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;
using LogCommand = Coordinator.Core.Consensus.Command;
using Tag = Coordinator.Core.Protocol.TransactionCodec.Tag;

namespace Coordinator.Service.Gateway;

/// <summary>
/// Every decision of a replica's client gateway, with no actor, clock or network: the shell hands in each message with
/// the client that sent it (an opaque <typeparamref name="TClient"/>) and the time, then carries out
/// <see cref="Outbox"/>. It decides who may act for a session, admits or refuses requests, keeps one attempt per
/// (session, sequence), holds each write's answer until this replica applied its slot (so the client's next read
/// here sees it, and every watch event of that slot went first), and keeps the watch table and liveness reports.
/// </summary>
/// <remarks>
/// Ownership: a session is attached here to one client, by a CreateSession the log accepted or by an attach with the
/// session's secret. Only that client may write, read, heartbeat or watch for it; a client may propose only client
/// operations, never the system's (expiry, touch, leader time). When the client goes, is replaced, or the session
/// ends, its attachment and watches go. A client process's shared heartbeat (<see cref="SessionsHeartbeat"/>) is the
/// one exception to "only that client": it keeps alive the sessions attached here by clients of the same process as
/// its sender (<see cref="ProcessOf"/>), and no other.
/// </remarks>
internal sealed class GatewayCore<TClient>
    where TClient : notnull
{
    private static readonly byte[] SyncDone = ResultCodec.Encode(OkResult.Instance);
    private static readonly byte[] AnonymousRefused = ResultCodec.Encode(
        new ErrorResult(ErrorCode.AuthFailed, "anonymous sessions are not allowed here (coordinator.security.allow-anonymous = off): give a user and password"));
    private readonly GatewaySettings _settings;
    private readonly Dictionary<long, AttachedSession<TClient>> _attached = [];
    private readonly Dictionary<TClient, HashSet<long>> _sessionsByClient = [];
    private readonly WatchTable _watches = new();
    private readonly WatchHistory _history;

    // The position of the last node change this gateway processed: a watch registered now sees every later one.
    private long _slotInProgress = -1;
    private int _nextIndexInSlot;
    private readonly Dictionary<WriteKey, PendingWrite<TClient>> _writes = [];

    /// <summary>Syncs waiting for a read index, by the id of their read index requests.</summary>
    private readonly Dictionary<long, WriteKey> _syncs = [];

    /// <summary>Linearizable reads waiting for a read index, by the id of their read index requests.</summary>
    private readonly Dictionary<long, (TClient Client, ReadRequest Read)> _linearizableReads = [];
    private readonly PriorityQueue<(TClient Client, WriteResponse Response), long> _answersWaitingForApply = new();
    private readonly InFlightLimits<TClient> _inFlight;

    /// <summary>Acknowledgements held until the leader confirms the report that carried their session.</summary>
    private readonly Dictionary<long, LivenessReport> _reportsInFlight = [];

    /// <summary>Sessions heard from (or attached) since the last report: a report looks at these, not at every session.</summary>
    private readonly HashSet<long> _heardSinceReport = [];
    private long _nextReadId;
    private long _nextReportId;

    /// <summary>Reports numbered up to this one were already in flight at the previous sweep.</summary>
    private long _reportsBeforeLastSweep;

    public GatewayCore(GatewaySettings settings)
    {
        _settings = settings;
        _inFlight = new InFlightLimits<TClient>(settings.MaxInFlightPerSession, settings.MaxBytesInFlightPerSession);
        _history = new WatchHistory(settings.WatchHistoryChanges, settings.WatchHistoryBytes);
    }

    public GatewayOutbox<TClient> Outbox { get; } = new();

    /// <summary>
    /// The client process a client belongs to (for actors, its ActorSystem's address: the association it speaks
    /// over). A shared heartbeat counts only for sessions whose client has the sender's process. By default every
    /// client is a process of its own.
    /// </summary>
    public Func<TClient, object> ProcessOf { get; init; } = client => client;

    /// <summary>The fault harness's deliberate replay bug (<see cref="FaultInjection.DropReplayedEvent"/>); null in production.</summary>
    public FaultInjection.DropReplayedEvent? DropReplayedEvent { get; init; }

    /// <summary>This replica has applied every slot below this one.</summary>
    public long AppliedBelow { get; private set; }

    public int AttachedCount => _attached.Count;

    public int WatchCount => _watches.Count;

    public int WatchCountOf(long sessionId) => _watches.CountOf(sessionId);

    /// <summary>The node changes kept for watches that resume here.</summary>
    public int HistoryCount => _history.Count;

    private EventPosition SeenThroughNow => _slotInProgress < 0 ? EventPosition.After(AppliedBelow - 1) : new(_slotInProgress, _nextIndexInSlot - 1);

    /// <summary>The transaction of the write this answer completes, if a request here still waits for it.</summary>
    public Tag? PendingOperation(ProposeResponse response) =>
        response.Status == ProposeStatus.Applied && _writes.TryGetValue(new WriteKey(response.SessionId, response.Sequence), out var pending)
            ? TransactionCodec.PeekTag(pending.Command.Payload)
            : null;

    /// <summary>Whether this read index answers a sync that still waits here.</summary>
    public bool AnswersSync(ReadIndexResponse response) =>
        response.Index is not null && _syncs.TryGetValue(response.RequestId, out var key) && _writes.ContainsKey(key);

    public bool IsAttachedBy(long sessionId, TClient client) =>
        _attached.TryGetValue(sessionId, out var session) && EqualityComparer<TClient>.Default.Equals(session.Client, client);

    // ---- writes -------------------------------------------------------------------------------------------------

    /// <param name="verified">
    /// The shell built this write itself after checking the client's password (a CreateSession naming its user) or
    /// hashing one (a StoreUser): only then may the write carry what a client must not claim.
    /// </param>
    public void OnWrite(TClient client, WriteRequest write, long now, bool verified = false)
    {
        if (write.Transaction.Length > _settings.MaxRequestBytes)
        {
            Reject(client, write.RequestId, RejectReason.RequestTooLarge,
                $"request of {write.Transaction.Length} bytes exceeds the {_settings.MaxRequestBytes}-byte limit");
            return;
        }
        var tag = TransactionCodec.PeekTag(write.Transaction);
        if (Vet(client, write, tag, verified) is { } refusal)
        {
            Reject(client, write.RequestId, refusal.Reason, refusal.Message);
            return;
        }
        if (tag == Tag.CreateSession && !_settings.Security.AllowAnonymous)
        {
            Outbox.ToClients.Add((client, new WriteResponse(write.RequestId, AppliedBelow - 1, AnonymousRefused)));
            return;
        }
        var key = new WriteKey(write.SessionId, write.Sequence);
        if (_writes.TryGetValue(key, out var resent))
        {
            if (resent.CreatesSession && !EqualityComparer<TClient>.Default.Equals(resent.Client, client))
            {
                Reject(client, write.RequestId, RejectReason.NotSessionOwner, $"session {write.SessionId} is being created by another client");
                return;
            }
            // The client resent after a timeout: answer whichever attempt completes, to its latest request id.
            resent.RequestId = write.RequestId;
            resent.Client = client;
            Submit(resent);
            return;
        }
        if (_inFlight.Refusal(write.SessionId, client, write.Transaction.Length) is { } overload)
        {
            Reject(client, write.RequestId, RejectReason.TooManyInFlight, overload);
            return;
        }
        _inFlight.Admit(write.SessionId, client, write.Transaction.Length);
        // A sync needs no log slot: a read index from the leader, then this replica applying everything below it,
        // make the reads that follow linearizable.
        var readId = TransactionCodec.IsSync(write.Transaction) ? ++_nextReadId : (long?)null;
        var pending = new PendingWrite<TClient>(write.RequestId, client, new LogCommand(write.SessionId, write.Sequence, write.Transaction), now)
        {
            CreatesSession = tag is Tag.CreateSession or Tag.CreateUserSession,
            ReadId = readId,
        };
        _writes[key] = pending;
        if (readId is { } id)
        {
            _syncs[id] = key;
        }
        Submit(pending);
    }

    private (RejectReason Reason, string Message)? Vet(TClient client, WriteRequest write, Tag? tag, bool verified)
    {
        if (write.SessionId == CoordinatorStateMachine.SystemSessionId)
        {
            return (RejectReason.NotAllowed, "session 0 is the system's; clients write in their own sessions");
        }
        switch (tag)
        {
            case null when write.Transaction.Length > 0 && write.Transaction[0] != TransactionCodec.FormatVersion:
                return (RejectReason.UnsupportedVersion, $"transaction format {write.Transaction[0]}; this gateway speaks {TransactionCodec.FormatVersion}");
            case null:
                return (RejectReason.NotAllowed, "not a transaction this gateway knows");
            case Tag.TouchSession or Tag.ExpireSession or Tag.Tick:
                return (RejectReason.NotAllowed, $"{tag} is a system transaction: only the leader's own trackers propose it");
            case Tag.CreateSessionAs or Tag.SetPassword or Tag.CreateCertifiedSession or Tag.AuthenticateSessionAs:
                return (RejectReason.NotAllowed, $"{tag} carries a password or a proof: the gateway replaces it, and never proposes it");
            case Tag.CreateUserSession or Tag.StoreUser or Tag.AuthenticateSession when !verified:
                return (RejectReason.NotAllowed, $"{tag} names a verified user or a password digest: only a gateway that checked or hashed the password proposes it");
            case Tag.StoreUser when !IsAttachedBy(write.SessionId, client):
                return (RejectReason.NotSessionOwner, $"session {write.SessionId} is not attached here by this client");
            case Tag.CreateSession or Tag.CreateUserSession:
                return _attached.TryGetValue(write.SessionId, out var owner) && !EqualityComparer<TClient>.Default.Equals(owner.Client, client)
                    ? (RejectReason.NotSessionOwner, $"session {write.SessionId} is attached here by another client")
                    : null;
            default:
                return IsAttachedBy(write.SessionId, client)
                    ? null
                    : (RejectReason.NotSessionOwner, $"session {write.SessionId} is not attached here by this client");
        }
    }

    /// <summary>The timer a failed proposal started has fired.</summary>
    public void OnRetry(WriteKey key)
    {
        if (_writes.TryGetValue(key, out var pending))
        {
            Submit(pending);
        }
    }

    public void OnProposeResponse(ProposeResponse response, long now)
    {
        var key = new WriteKey(response.SessionId, response.Sequence);
        if (!_writes.TryGetValue(key, out var pending))
        {
            return;
        }
        if (response.Status != ProposeStatus.Applied)
        {
            Outbox.RetryLater.Add(key);
            return;
        }
        Finish(key);
        if (pending.CreatesSession && ResultCodec.Decode(response.Result).Value is SessionCreatedResult created)
        {
            Attach(created.SessionId, pending.Client, created.TimeoutMs, now);
        }
        Answer(pending.Client, new WriteResponse(pending.RequestId, response.Slot, response.Result), response.Slot);
    }

    public void OnReadIndex(ReadIndexResponse response)
    {
        if (_linearizableReads.TryGetValue(response.RequestId, out var waiting))
        {
            if (response.Index is not { } readIndex)
            {
                Outbox.ReadIndexRetries.Add(response.RequestId);
                return;
            }
            _linearizableReads.Remove(response.RequestId);
            Outbox.ReadsToRun.Add((waiting.Client, waiting.Read with { LastSeenSlot = Math.Max(waiting.Read.LastSeenSlot, readIndex - 1) }));
            return;
        }
        if (!_syncs.TryGetValue(response.RequestId, out var key) || !_writes.TryGetValue(key, out var pending))
        {
            return;
        }
        if (response.Index is not { } index)
        {
            Outbox.RetryLater.Add(key);
            return;
        }
        Finish(key);
        Answer(pending.Client, new WriteResponse(pending.RequestId, index - 1, SyncDone), index - 1);
    }

    /// <summary>The replica applied a slot: its events go out first, then the answers that waited for it.</summary>
    public void OnApplied(CommandApplied applied)
    {
        AppliedBelow = Math.Max(AppliedBelow, applied.Slot + 1);
        if (applied.Slot != _slotInProgress)
        {
            // A slot's commands arrive one by one; its node changes are numbered across all of them.
            _history.StartAt(applied.Slot);
            _slotInProgress = applied.Slot;
            _nextIndexInSlot = 0;
        }
        foreach (var change in applied.Events)
        {
            Notify(change);
        }
        while (_answersWaitingForApply.TryPeek(out var waiting, out var slot) && slot < AppliedBelow)
        {
            _answersWaitingForApply.Dequeue();
            Outbox.ToClients.Add((waiting.Client, waiting.Response));
        }
    }

    public void OnLeaderChanged()
    {
        foreach (var (key, pending) in _writes)
        {
            Outbox.CancelRetry.Add(key);
            Submit(pending);
        }
        // So were read indexes the leader was asked for.
        foreach (var readId in _linearizableReads.Keys)
        {
            Outbox.ToReplica.Add(new ReadIndexRequest(readId));
        }
        // Reports that went to a leader that died were lost with it, and the acknowledgements they hold with them.
        foreach (var (reportId, report) in _reportsInFlight)
        {
            Outbox.ToReplica.Add(new SessionsAlive(reportId, report.Sessions));
        }
    }

    private void Submit(PendingWrite<TClient> pending) =>
        Outbox.ToReplica.Add(pending.ReadId is { } readId ? new ReadIndexRequest(readId) : new ProposeRequest(pending.Command));

    private void Answer(TClient client, WriteResponse answer, long slot)
    {
        if (slot < AppliedBelow)
        {
            Outbox.ToClients.Add((client, answer));
        }
        else
        {
            _answersWaitingForApply.Enqueue((client, answer), slot);
        }
    }

    private void Finish(WriteKey key)
    {
        if (!_writes.Remove(key, out var finished))
        {
            return;
        }
        if (finished.ReadId is { } readId)
        {
            _syncs.Remove(readId);
        }
        _inFlight.Answered(key.SessionId, finished.Charged, finished.Command.Payload.Length);
    }

    // ---- reads and watches ---------------------------------------------------------------------------------------

    /// <summary>The timer of a linearizable read whose read index found no leader has fired.</summary>
    public void OnRetryReadIndex(long readId)
    {
        if (_linearizableReads.ContainsKey(readId))
        {
            Outbox.ToReplica.Add(new ReadIndexRequest(readId));
        }
    }

    /// <returns>
    /// Whether the shell should run the read now; if not, the refusal is in the outbox, or the read waits for its read
    /// index and comes back in <see cref="GatewayOutbox{TClient}.ReadsToRun"/>.
    /// </returns>
    public bool AdmitRead(TClient client, ReadRequest read)
    {
        if (!IsAttachedBy(read.SessionId, client))
        {
            Reject(client, read.RequestId, RejectReason.NotSessionOwner, $"session {read.SessionId} is not attached here by this client");
            return false;
        }
        if (_inFlight.Refusal(read.SessionId, client, 0) is { } overload)
        {
            Reject(client, read.RequestId, RejectReason.TooManyInFlight, overload);
            return false;
        }
        _inFlight.Admit(read.SessionId, client, 0);
        if (!read.Linearizable)
        {
            return true;
        }
        var readId = ++_nextReadId;
        _linearizableReads[readId] = (client, read);
        Outbox.ToReplica.Add(new ReadIndexRequest(readId));
        return false;
    }

    public void OnReadDone(TClient client, ReadRequest read, ReadOutcome outcome, long appliedBelow)
    {
        _inFlight.Answered(read.SessionId, client, 0);
        // ZooKeeper's rule: a getData/getChildren of a missing node leaves no watch; exists always does. A session
        // that left meanwhile gets no watch: its next attach lists the watches it wants.
        // A read refused for want of READ (NoAuth) leaves none either.
        if (read.Watch && read.Kind != ReadKind.GetAcl && (outcome.Code == ErrorCode.Ok || (read.Kind == ReadKind.Exists && outcome.Code == ErrorCode.NoNode))
            && IsAttachedBy(read.SessionId, client))
        {
            var watch = new WatchRegistration(read.Path, read.Kind == ReadKind.GetChildren ? WatchKind.Children : WatchKind.Data);
            if (!TryAddWatch(read.SessionId, watch))
            {
                Reject(client, read.RequestId, RejectReason.TooManyWatches, TooManyWatches(read.SessionId));
                return;
            }
        }
        Outbox.ToClients.Add((client, new ReadResponse(read.RequestId, appliedBelow - 1, outcome.Code, outcome.Stat, outcome.Data, outcome.Children)));
    }

    public void OnAddWatch(TClient client, AddWatchRequest add)
    {
        if (!IsAttachedBy(add.SessionId, client))
        {
            Reject(client, add.RequestId, RejectReason.NotSessionOwner, $"session {add.SessionId} is not attached here by this client");
        }
        else if (!TryAddWatch(add.SessionId, add.Watch))
        {
            Reject(client, add.RequestId, RejectReason.TooManyWatches, TooManyWatches(add.SessionId));
        }
        else
        {
            var registeredAt = SeenThroughNow;
            var from = add.After is { } after && after < registeredAt ? after : (EventPosition?)null;
            var compacted = from is { } asked && !_history.Covers(asked);
            Outbox.ToClients.Add((client, new WatchAck(add.RequestId, registeredAt.Slot, registeredAt.Index, compacted)));
            if (from is { } start && !compacted)
            {
                // After the answer, which puts the watch in the client's table, and before any live event: the
                // history up to now, then every later change, each once.
                foreach (var change in _history.After(start).Where(change => WatchTable.Matches(add.Watch, change.Type, change.Path)))
                {
                    Replay(client, new WatchNotification(add.SessionId, change.Type, change.Path, change.Position.Slot, change.Position.Index));
                }
            }
        }
    }

    private void Replay(TClient client, WatchNotification notification)
    {
        if (DropReplayedEvent?.Drops() != true)
        {
            Outbox.ToClients.Add((client, notification));
        }
    }

    public void OnRemoveWatch(TClient client, RemoveWatchRequest remove)
    {
        if (!IsAttachedBy(remove.SessionId, client))
        {
            Reject(client, remove.RequestId, RejectReason.NotSessionOwner, $"session {remove.SessionId} is not attached here by this client");
            return;
        }
        _watches.Remove(remove.SessionId, remove.Watch);
        var removedAt = SeenThroughNow;
        Outbox.ToClients.Add((client, new WatchAck(remove.RequestId, removedAt.Slot, removedAt.Index)));
    }

    private bool TryAddWatch(long sessionId, WatchRegistration watch)
    {
        if (_watches.CountOf(sessionId) >= _settings.MaxWatchesPerSession && !_watches.Has(sessionId, watch))
        {
            return false;
        }
        _watches.Add(sessionId, watch);
        return true;
    }

    private string TooManyWatches(long sessionId) => $"session {sessionId} already holds {_settings.MaxWatchesPerSession} watches here";

    // ---- sessions: attach, heartbeats, liveness -----------------------------------------------------------------

    /// <returns>Whether the shell should look the session up; if not, the refusal is in the outbox.</returns>
    public bool AdmitAttach(TClient client, AttachRequest attach)
    {
        if (attach.SessionId == CoordinatorStateMachine.SystemSessionId)
        {
            Reject(client, attach.RequestId, RejectReason.NotAllowed, "session 0 is the system's");
            return false;
        }
        if (attach.Watches.Select(resumed => resumed.Watch).Distinct().Count() > _settings.MaxWatchesPerSession)
        {
            Reject(client, attach.RequestId, RejectReason.TooManyWatches, $"the attach lists more than {_settings.MaxWatchesPerSession} watches");
            return false;
        }
        return true;
    }

    /// <summary>The session's secret checked, the client becomes its only owner here; missed watch events go first.</summary>
    public void OnAttachInspected(TClient client, AttachRequest attach, AttachOutcome outcome, long appliedBelow, long now)
    {
        if (outcome.Session is not { } session)
        {
            Reject(client, attach.RequestId, RejectReason.UnknownSession, $"session {attach.SessionId} does not exist or has expired");
            return;
        }
        if (session.Secret != attach.Secret)
        {
            Reject(client, attach.RequestId, RejectReason.WrongSecret, $"wrong secret for session {attach.SessionId}");
            return;
        }
        Outbox.ToClients.Add((client, new ResumeStarted(attach.RequestId)));
        foreach (var (path, token) in outcome.HeldAwaitedLocks)
        {
            Outbox.ToClients.Add((client, new LockGrantedNotification(attach.SessionId, path, token, appliedBelow - 1)));
        }
        var attached = Attach(attach.SessionId, client, session.TimeoutMs, now);
        ResumeWatches(client, attach, outcome);
        attached.AwaitReport(new AttachResponse(attach.RequestId, appliedBelow - 1, session.TimeoutMs));
        ReportLiveness();
    }

    public void OnHeartbeat(TClient client, Heartbeat heartbeat, long now)
    {
        if (!_attached.TryGetValue(heartbeat.SessionId, out var session))
        {
            Reject(client, 0, RejectReason.UnknownSession, $"session {heartbeat.SessionId} is not attached here");
            return;
        }
        if (!EqualityComparer<TClient>.Default.Equals(session.Client, client))
        {
            Reject(client, 0, RejectReason.NotSessionOwner, $"session {heartbeat.SessionId} is attached here by another client");
            return;
        }
        session.LastHeardAt = now;
        session.AwaitReport(new HeartbeatAck(heartbeat.SessionId, AppliedBelow - 1));
        _heardSinceReport.Add(heartbeat.SessionId);
    }

    /// <summary>
    /// A client process's one heartbeat for its sessions here. Each session it names that a client of the same process
    /// attached here counts as heard, exactly as if that client had sent its own <see cref="Heartbeat"/>; the others are
    /// refused to the sender alone, so a forged heartbeat neither keeps another process's session alive nor disturbs
    /// its client. A session the process stops naming is not heard, is not reported, and expires on time.
    /// </summary>
    public void OnSessionsHeartbeat(TClient heartbeater, SessionsHeartbeat heartbeat, long now)
    {
        if (heartbeat.SessionIds.Count > SessionsHeartbeat.MaxSessions)
        {
            Reject(heartbeater, 0, RejectReason.RequestTooLarge, $"a shared heartbeat names at most {SessionsHeartbeat.MaxSessions} sessions");
            return;
        }
        var process = ProcessOf(heartbeater);
        List<long>? unknown = null;
        List<long>? notOwned = null;
        foreach (var id in heartbeat.SessionIds)
        {
            if (!_attached.TryGetValue(id, out var session))
            {
                (unknown ??= []).Add(id);
                continue;
            }
            if (!Equals(ProcessOf(session.Client), process))
            {
                (notOwned ??= []).Add(id);
                continue;
            }
            session.LastHeardAt = now;
            session.SharedHeartbeat = (heartbeater, heartbeat.HeartbeatId);
            _heardSinceReport.Add(id);
        }
        if (unknown is not null)
        {
            Outbox.ToClients.Add((heartbeater, new SessionsHeartbeatRefused(heartbeat.HeartbeatId, RejectReason.UnknownSession, unknown)));
        }
        if (notOwned is not null)
        {
            Outbox.ToClients.Add((heartbeater, new SessionsHeartbeatRefused(heartbeat.HeartbeatId, RejectReason.NotSessionOwner, notOwned)));
        }
    }

    /// <summary>The client is gone for good (its actor stopped or its system was quarantined): so are its sessions here.</summary>
    public void OnClientGone(TClient client)
    {
        _inFlight.Forget(client);
        foreach (var (readId, _) in _linearizableReads.Where(read => EqualityComparer<TClient>.Default.Equals(read.Value.Client, client)).ToList())
        {
            _linearizableReads.Remove(readId);
        }
        if (!_sessionsByClient.Remove(client, out var sessions))
        {
            return;
        }
        foreach (var sessionId in sessions)
        {
            _attached.Remove(sessionId);
            _watches.RemoveSession(sessionId);
        }
    }

    /// <summary>
    /// Tells the leader which sessions were heard from. Their heartbeat (and attach) acknowledgements wait for the
    /// leader's answer: a gateway that cannot reach a leader acknowledges nothing, and its clients fail over in time.
    /// Everything heard since the last report goes in one report, or in several of at most
    /// <see cref="GatewaySettings.MaxSessionsPerReport"/> sessions each; sessions not heard from cost nothing here.
    /// </summary>
    public void ReportLiveness()
    {
        if (_heardSinceReport.Count == 0)
        {
            return;
        }
        var report = new LivenessReport();
        foreach (var id in _heardSinceReport)
        {
            if (!_attached.TryGetValue(id, out var session) || (session.AwaitingReport is null && session.SharedHeartbeat is null))
            {
                continue;
            }
            if (session.AwaitingReport is { } awaiting)
            {
                report.Direct.AddRange(awaiting.Select(ack => (id, ack)));
                session.AwaitingReport = null;
            }
            if (session.SharedHeartbeat is { } shared)
            {
                report.Shared.Add((shared.Heartbeater, shared.HeartbeatId, id));
                session.SharedHeartbeat = null;
            }
            report.Sessions.Add(id);
            if (report.Sessions.Count == _settings.MaxSessionsPerReport)
            {
                SendReport(report);
                report = new LivenessReport();
            }
        }
        _heardSinceReport.Clear();
        if (report.Sessions.Count > 0)
        {
            SendReport(report);
        }
    }

    private void SendReport(LivenessReport report)
    {
        var reportId = ++_nextReportId;
        _reportsInFlight[reportId] = report;
        Outbox.ToReplica.Add(new SessionsAlive(reportId, report.Sessions));
    }

    /// <summary>
    /// The leader heard the report: its sessions' acknowledgements go out, a shared heartbeat's as one message to its
    /// sender naming those of its sessions still attached here by its process.
    /// </summary>
    public void OnLivenessConfirmed(SessionsAliveAck ack)
    {
        if (!_reportsInFlight.Remove(ack.ReportId, out var report))
        {
            return;
        }
        foreach (var (sessionId, message) in report.Direct)
        {
            Tell(sessionId, message);
        }
        foreach (var heartbeat in report.Shared.GroupBy(shared => (shared.Heartbeater, shared.HeartbeatId)))
        {
            var process = ProcessOf(heartbeat.Key.Heartbeater);
            var alive = heartbeat
                .Where(shared => _attached.TryGetValue(shared.SessionId, out var session) && Equals(ProcessOf(session.Client), process))
                .Select(shared => shared.SessionId)
                .ToList();
            if (alive.Count > 0)
            {
                Outbox.ToClients.Add((heartbeat.Key.Heartbeater, new SessionsHeartbeatAck(heartbeat.Key.HeartbeatId, AppliedBelow - 1, alive)));
            }
        }
    }

    /// <summary>One report in flight to the leader: the sessions it names and the acknowledgements that wait for it.</summary>
    private sealed class LivenessReport
    {
        public List<long> Sessions { get; } = [];

        public List<(long SessionId, ClientMessage Ack)> Direct { get; } = [];

        public List<(TClient Heartbeater, long HeartbeatId, long SessionId)> Shared { get; } = [];
    }

    /// <summary>
    /// Gives up on writes no leader would take (the client hears NoQuorum: the outcome is unknown, as with a lost
    /// connection) and forgets attachments that went silent, so a client that moved on gets no duplicate events.
    /// </summary>
    public void Sweep(long now)
    {
        // A report unanswered for a whole sweep interval went to a leader that is gone; the next leader hears the
        // sessions' next heartbeats. Counting reports instead would drop answers still on their way while attaches
        // come by the thousand, each with its own report.
        foreach (var stale in _reportsInFlight.Keys.Where(id => id <= _reportsBeforeLastSweep).ToList())
        {
            _reportsInFlight.Remove(stale);
        }
        _reportsBeforeLastSweep = _nextReportId;
        foreach (var (key, pending) in _writes.Where(entry => now - entry.Value.FirstSentAt > _settings.WriteGiveUpAfter.TotalMilliseconds).ToList())
        {
            Finish(key);
            Outbox.CancelRetry.Add(key);
            Reject(pending.Client, pending.RequestId, RejectReason.NoQuorum,
                $"no leader committed the write within {_settings.WriteGiveUpAfter.TotalSeconds:0} s; it may still be applied");
        }
        foreach (var (id, _) in _attached.Where(entry => now - entry.Value.LastHeardAt > entry.Value.TimeoutMs).ToList())
        {
            Detach(id);
        }
    }

    /// <summary>Makes <paramref name="client"/> the session's only owner here, with no watches yet.</summary>
    private AttachedSession<TClient> Attach(long sessionId, TClient client, int timeoutMs, long now)
    {
        if (IsAttachedBy(sessionId, client))
        {
            _watches.RemoveSession(sessionId);
        }
        else
        {
            Detach(sessionId);
            if (!_sessionsByClient.TryGetValue(client, out var sessions))
            {
                _sessionsByClient[client] = sessions = [];
                Outbox.Watch.Add(client);
            }
            sessions.Add(sessionId);
        }
        _heardSinceReport.Add(sessionId);
        return _attached[sessionId] = new AttachedSession<TClient>(client, timeoutMs, now);
    }

    private void Detach(long sessionId)
    {
        _watches.RemoveSession(sessionId);
        if (!_attached.Remove(sessionId, out var session) || !_sessionsByClient.TryGetValue(session.Client, out var sessions))
        {
            return;
        }
        sessions.Remove(sessionId);
        if (sessions.Count == 0)
        {
            _sessionsByClient.Remove(session.Client);
            Outbox.Unwatch.Add(session.Client);
        }
    }

    /// <summary>
    /// Each re-registered watch gets what it missed after the position it saw last, from the history, in position
    /// order and once per change (a one-shot watch only its first, and is then gone). A watch the history no longer
    /// reaches back for gets Compacted (a persistent one) or ZooKeeper's setWatches answer from the node's Stat (a
    /// one-shot one), after the replayed changes.
    /// </summary>
    /// <remarks>
    /// A setWatches answer names the slot of the change it reports, at index -1, where no stream of the session
    /// takes it for a new event: a recursive watch the history covers has seen that slot (its change was replayed,
    /// or lies before the history), and one it does not cover has just been sent its Compacted at the current
    /// position, which goes out first. The slot of a deletion is its event's in the history, or the history's start.
    /// </remarks>
    private void ResumeWatches(TClient client, AttachRequest attach, AttachOutcome outcome)
    {
        var missed = new SortedDictionary<EventPosition, HistoricalChange>();
        var compacted = new List<WatchNotification>();
        var setWatches = new List<WatchNotification>();
        var now = SeenThroughNow;
        for (var i = 0; i < attach.Watches.Count; i++)
        {
            var (watch, seenThrough) = (attach.Watches[i].Watch, attach.Watches[i].SeenThrough);
            if (outcome.Nodes[i].Code == ErrorCode.NoAuth)
            {
                // The session may no longer read the node (its ACL changed while the watch was elsewhere): the watch
                // is not carried over, and nothing it would have seen is replayed.
                continue;
            }
            var oneShot = watch.Kind is WatchKind.Data or WatchKind.Children;
            if (_history.Covers(seenThrough))
            {
                var changes = _history.After(seenThrough).Where(change => WatchTable.Matches(watch, change.Type, change.Path));
                if (oneShot && changes.FirstOrDefault() is { } first)
                {
                    // Fired while the session was away: a one-shot watch is then gone.
                    missed.TryAdd(first.Position, first);
                    continue;
                }
                if (!oneShot)
                {
                    foreach (var change in changes)
                    {
                        missed.TryAdd(change.Position, change);
                    }
                }
            }
            else if (!oneShot)
            {
                compacted.Add(new WatchNotification(attach.SessionId, WatchEventType.Compacted, watch.Path, now.Slot, now.Index));
            }
            else if (MissedChange(watch, outcome.Nodes[i], attach.Watches[i].NodeExisted, seenThrough.Index == int.MaxValue ? seenThrough.Slot : seenThrough.Slot - 1) is var (type, slot))
            {
                var at = type == WatchEventType.NodeDeleted ? DeletedAt(watch.Path, now) : EventPosition.Before(slot);
                setWatches.Add(new WatchNotification(attach.SessionId, type, watch.Path, at.Slot, at.Index));
                continue;
            }
            _watches.Add(attach.SessionId, watch);
        }
        foreach (var change in missed.Values)
        {
            Replay(client, new WatchNotification(attach.SessionId, change.Type, change.Path, change.Position.Slot, change.Position.Index));
        }
        foreach (var notification in compacted.Concat(setWatches))
        {
            Outbox.ToClients.Add((client, notification));
        }
    }

    /// <summary>Where a node vanished: its deletion in the history, or, before the history, where the history starts.</summary>
    private EventPosition DeletedAt(string path, EventPosition now)
    {
        var deleted = _history.After(EventPosition.Before(0)).LastOrDefault(change => change.Type == WatchEventType.NodeDeleted && change.Path == path);
        return deleted?.Position ?? _history.CompleteAfter ?? now;
    }

    /// <summary>This replica installed a peer's snapshot: its state jumped, and the changes in between were never seen here.</summary>
    public void OnStateInstalled(long appliedBelow)
    {
        AppliedBelow = Math.Max(AppliedBelow, appliedBelow);
        _history.Restart(appliedBelow);
        _slotInProgress = -1;
    }

    private void Notify(StateMachineEvent change)
    {
        switch (change)
        {
            case LockGranted granted:
                Tell(granted.SessionId, new LockGrantedNotification(granted.SessionId, granted.Path, granted.Token, granted.Slot));
                break;
            case LockLost lost:
                Tell(lost.SessionId, new LockLostNotification(lost.SessionId, lost.Path, lost.Token, lost.Slot));
                break;
            case SessionExpired expired:
                Tell(expired.SessionId, new SessionEndedNotification(expired.SessionId, expired.Slot));
                Detach(expired.SessionId);
                break;
            case SessionClosed closed:
                Tell(closed.SessionId, new SessionEndedNotification(closed.SessionId, closed.Slot));
                Detach(closed.SessionId);
                break;
            default:
                if (WatchTable.NodeChange(change) is not var (type, path))
                {
                    break;
                }
                var historical = new HistoricalChange(new EventPosition(_slotInProgress, _nextIndexInSlot++), type, path);
                _history.Add(historical);
                foreach (var notification in _watches.Trigger(historical))
                {
                    Tell(notification.SessionId, notification);
                }
                break;
        }
    }

    private void Tell(long sessionId, ClientMessage message)
    {
        if (_attached.TryGetValue(sessionId, out var session))
        {
            Outbox.ToClients.Add((session.Client, message));
        }
    }

    private void Reject(TClient client, long requestId, RejectReason reason, string message) =>
        Outbox.ToClients.Add((client, new RequestRejected(requestId, reason, message)));

    /// <summary>
    /// ZooKeeper's setWatches rule for a watch re-registered after failover: fire at once if its node changed after
    /// the last slot the client saw (with the slot of that change), or was deleted. A missing node keeps an
    /// exists-watch that was waiting for a create; a watch set on an existing node (getData, getChildren, exists of
    /// a node) fires NodeDeleted.
    /// </summary>
    private static (WatchEventType Type, long Slot)? MissedChange(WatchRegistration watch, NodeRead node, bool nodeExisted, long lastSeenSlot)
    {
        if (node.Code != ErrorCode.Ok)
        {
            return nodeExisted || watch.Kind == WatchKind.Children ? (WatchEventType.NodeDeleted, 0) : null;
        }
        if (node.Stat.CreatedSlot > lastSeenSlot)
        {
            return (WatchEventType.NodeCreated, node.Stat.CreatedSlot);
        }
        return watch.Kind == WatchKind.Children
            ? node.Stat.ChildrenModifiedSlot > lastSeenSlot ? (WatchEventType.NodeChildrenChanged, node.Stat.ChildrenModifiedSlot) : null
            : node.Stat.ModifiedSlot > lastSeenSlot ? (WatchEventType.NodeDataChanged, node.Stat.ModifiedSlot) : null;
    }
}
