using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The one actor of a client: owns the session (create, attach, heartbeats, the client-side deadline), the
/// correlation of requests, the single in-flight write and its resends, failover to the next server, and the
/// watch table that is re-registered on every attach. Gateway messages are handled strictly in arrival order, and
/// only from the replica the session is attached to, so a watch event is always handled before any response that
/// could show its change.
/// </summary>
internal sealed class ClientActor : ReceiveActor, IWithTimers
{
    private enum Phase
    {
        Idle,
        Creating,
        Attaching,
        Attached,
        Ended,
    }

    private readonly CoordinatorClientOptions _options;
    private readonly ClientStatus _status;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly Queue<PendingWrite> _writes = new();
    private readonly Dictionary<long, PendingRead> _reads = [];
    private readonly Dictionary<long, PendingSubscribe> _subscribes = [];
    private readonly WatchTable _watches = new();
    private readonly Dictionary<string, TaskCompletionSource<long>> _lockWaits = [];
    private readonly Dictionary<string, long> _earlyGrants = [];
    private readonly List<(ClientMessage Message, Address Address)> _held = [];
    private readonly HashSet<(WatchEventType, string)> _notifiedAtSlot = [];

    private Phase _phase = Phase.Idle;
    private TaskCompletionSource? _start;
    private TimeSpan _connectDeadline;
    private int _server;
    private long _nextRequestId = 1;
    private long _secret;
    private long _nextSequence = 2;
    private long _lastSeenSlot;
    private long _notifiedSlot = -1;
    private SessionDeadline? _deadline;
    private TimeSpan _nextHeartbeatAt;
    private Address? _attached;
    private PendingWrite? _inFlight;
    private long _createRequestId;
    private TimeSpan _createFirstSentAt;
    private TimeSpan _createSentAt;
    private long _attachRequestId;
    private TimeSpan _attachSentAt;
    private bool _closing;

    public ClientActor(CoordinatorClientOptions options, ClientStatus status)
    {
        _options = options;
        _status = status;
        Receive<StartSession>(OnStart);
        Receive<SubmitWrite>(OnSubmitWrite);
        Receive<SubmitRead>(OnSubmitRead);
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<Shutdown>(OnShutdown);
        Receive<CheckTick>(_ => OnTick());
        Receive<ClientMessage>(OnGatewayMessage);
        Receive<DisassociatedEvent>(OnConnectionLost);
    }

    protected override void PreStart()
    {
        // A replica that dies closes its TCP connections at once: moving on then, rather than after RequestTimeout,
        // is what keeps a failover under a second for the sessions that were attached to it.
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    public ITimerScheduler Timers { get; set; } = null!;

    private TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    private string Server => _options.Servers[_server];

    private ActorSelection Gateway => GatewayAddress.Select(Context.System, Server);

    private TimeSpan SessionTimeout => _deadline?.Timeout ?? _options.SessionTimeout;

    // ---- commands from the public client -------------------------------------------------------------------

    private void OnStart(StartSession start)
    {
        _start = start.Completion;
        _connectDeadline = Now + _options.ConnectTimeout;
        _server = Random.Shared.Next(_options.Servers.Count);
        var smallest = TimeSpan.FromTicks(Math.Min(_options.SessionTimeout.Ticks, _options.RequestTimeout.Ticks));
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(smallest.TotalMilliseconds / 20, 10, 100));
        Timers.StartPeriodicTimer("check", CheckTick.Instance, tick);
        DrawSession();
        _createFirstSentAt = Now;
        SendCreate();
    }

    private void OnSubmitWrite(SubmitWrite submit)
    {
        if (RefuseWhenEnded(submit.Completion))
        {
            return;
        }
        if (submit.Transaction is CloseSession)
        {
            _closing = true;
        }
        _writes.Enqueue(new PendingWrite(submit));
        SendNextWrite();
    }

    private void OnSubmitRead(SubmitRead submit)
    {
        if (RefuseWhenEnded(submit.Completion))
        {
            return;
        }
        var read = new PendingRead(NextRequestId(), submit);
        _reads[read.RequestId] = read;
        if (_phase == Phase.Attached)
        {
            SendRead(read);
        }
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        if (RefuseWhenEnded(subscribe.Completion))
        {
            return;
        }
        if (_watches.Contains(subscribe.Subscription.Registration))
        {
            _watches.Add(subscribe.Subscription);
            subscribe.Completion.TrySetResult();
            return;
        }
        var pending = new PendingSubscribe(NextRequestId(), subscribe);
        _subscribes[pending.RequestId] = pending;
        if (_phase == Phase.Attached)
        {
            SendSubscribe(pending);
        }
    }

    private void OnUnsubscribe(Unsubscribe unsubscribe)
    {
        if (_watches.Remove(unsubscribe.Subscription) && _phase == Phase.Attached)
        {
            // Not tracked: if it is lost the replica keeps sending events nobody consumes until the next attach,
            // which no longer lists the watch.
            Gateway.Tell(new RemoveWatchRequest(NextRequestId(), _status.SessionId, unsubscribe.Subscription.Registration), Self);
        }
    }

    private void OnShutdown(Shutdown shutdown)
    {
        End(ConnectionState.Closed, () => new ObjectDisposedException(nameof(CoordinatorClient)));
        shutdown.Completion.TrySetResult();
    }

    // ---- time -----------------------------------------------------------------------------------------------

    private void OnTick()
    {
        var now = Now;
        switch (_phase)
        {
            case Phase.Creating:
                if (now >= _connectDeadline)
                {
                    FailConnect(new ConnectionLossException($"No server created a session within {_options.ConnectTimeout}."));
                }
                else if (now - _createSentAt >= _options.RequestTimeout)
                {
                    _server = (_server + 1) % _options.Servers.Count;
                    SendCreate();
                }
                return;
            case Phase.Attaching:
                if (_start is not null && now >= _connectDeadline)
                {
                    FailConnect(new ConnectionLossException($"No server attached the session within {_options.ConnectTimeout}."));
                }
                else if (_deadline!.Evaluate(now) == SessionHealth.Expired)
                {
                    Expire();
                }
                else if (now - _attachSentAt >= _options.RequestTimeout)
                {
                    FailOver();
                }
                return;
            case Phase.Attached:
                var health = _deadline!.Evaluate(now);
                if (health == SessionHealth.Expired)
                {
                    Expire();
                }
                else if (health == SessionHealth.Jeopardy || OldestOutstanding() is { } sent && now - sent >= _options.RequestTimeout)
                {
                    FailOver();
                }
                else if (now >= _nextHeartbeatAt)
                {
                    _deadline.HeartbeatSent(now);
                    _nextHeartbeatAt = now + SessionTimeout / 3;
                    Gateway.Tell(new Heartbeat(_status.SessionId), Self);
                }
                return;
            default:
                return;
        }
    }

    private TimeSpan? OldestOutstanding()
    {
        TimeSpan? oldest = _inFlight?.SentAt;
        foreach (var sent in _reads.Values.Select(r => r.SentAt).Concat(_subscribes.Values.Select(s => s.SentAt)))
        {
            if (sent is { } at && (oldest is null || at < oldest))
            {
                oldest = at;
            }
        }
        return oldest;
    }

    // ---- session establishment and failover ----------------------------------------------------------------

    private void DrawSession()
    {
        _status.SessionId = Random.Shared.NextInt64(1, long.MaxValue);
        _secret = Random.Shared.NextInt64(long.MinValue, long.MaxValue);
    }

    /// <summary>Resent with the same id, secret and sequence 1 on another server: a retried create is deduplicated.</summary>
    private void SendCreate()
    {
        _phase = Phase.Creating;
        _createRequestId = NextRequestId();
        _createSentAt = Now;
        var create = TransactionCodec.Encode(new CreateSession((int)_options.SessionTimeout.TotalMilliseconds, _secret));
        Gateway.Tell(new WriteRequest(_createRequestId, _status.SessionId, 1, create), Self);
    }

    private void OnCreated(WriteResponse response)
    {
        var decoded = ResultCodec.Decode(response.Result);
        switch (decoded.Value)
        {
            case SessionCreatedResult created:
                _status.SessionId = created.SessionId;
                var timeout = TimeSpan.FromMilliseconds(created.TimeoutMs);
                _status.SessionTimeout = timeout;
                _deadline = new SessionDeadline(timeout, _createFirstSentAt);
                SeeSlot(response.Slot);
                BeginAttach();
                return;
            case ErrorResult { Error: ErrorCode.SessionExists }:
                DrawSession();
                _createFirstSentAt = Now;
                SendCreate();
                return;
            case { } other:
                FailConnect(Errors.For(other.Code, null));
                return;
            default:
                FailConnect(new CoordinatorException(ErrorCode.SystemError, $"undecodable session result ({decoded.Error})"));
                return;
        }
    }

    private void OnConnectionLost(DisassociatedEvent lost)
    {
        // Only an attached session moves on here; an attach that goes nowhere waits for RequestTimeout, so a client
        // whose servers are all down does not spin through them.
        if (_phase == Phase.Attached && lost.RemoteAddress == _attached)
        {
            FailOver();
        }
    }

    private void FailConnect(Exception error)
    {
        _start?.TrySetException(error);
        _start = null;
        End(ConnectionState.Closed, () => error);
    }

    private void BeginAttach()
    {
        _phase = Phase.Attaching;
        _held.Clear();
        _attached = null;
        _deadline!.ForgetUnacknowledged();
        _attachRequestId = NextRequestId();
        _attachSentAt = Now;
        Gateway.Tell(new AttachRequest(_attachRequestId, _status.SessionId, _secret, _lastSeenSlot, _watches.Registrations, AwaitedLocks()), Self);
    }

    /// <summary>
    /// Locks whose grant this session waits for: queued ones, and the one an unanswered Acquire may have queued. A
    /// grant applied while the session was between gateways reached no one, so the next gateway is asked for it.
    /// </summary>
    private List<string> AwaitedLocks()
    {
        var awaited = _lockWaits.Keys.ToList();
        if (_inFlight?.Transaction is Acquire { Wait: true } acquire && !awaited.Contains(acquire.Path))
        {
            awaited.Add(acquire.Path);
        }
        return awaited;
    }

    /// <summary>
    /// Moves the session to the next server. A request that this server left unanswered for the whole request
    /// timeout counts one more server that did not answer; once every server had its turn the caller gets
    /// ConnectionLoss, though the write itself stays in flight so the session's sequence keeps its order. Younger
    /// requests (the failover came from missed heartbeats) are just resent.
    /// </summary>
    private void FailOver()
    {
        if (_phase == Phase.Attached)
        {
            Publish(ConnectionState.Disconnected);
        }
        var now = Now;
        var loss = new ConnectionLossException($"No server answered within {_options.RequestTimeout} (tried {_options.Servers.Count}).");
        bool Unanswered(TimeSpan? sentAt) => sentAt is { } at && now - at >= _options.RequestTimeout;
        if (_inFlight is { } write)
        {
            if (Unanswered(write.SentAt) && ++write.Failovers >= _options.Servers.Count)
            {
                write.Completion.TrySetException(loss);
            }
            write.SentAt = null;
        }
        foreach (var read in _reads.Values.Where(r => r.SentAt is not null).ToList())
        {
            if (Unanswered(read.SentAt) && ++read.Failovers >= _options.Servers.Count)
            {
                _reads.Remove(read.RequestId);
                read.Completion.TrySetException(loss);
            }
            read.SentAt = null;
        }
        foreach (var subscribe in _subscribes.Values.Where(s => s.SentAt is not null).ToList())
        {
            if (Unanswered(subscribe.SentAt) && ++subscribe.Failovers >= _options.Servers.Count)
            {
                _subscribes.Remove(subscribe.RequestId);
                subscribe.Completion.TrySetException(loss);
            }
            subscribe.SentAt = null;
        }
        _server = (_server + 1) % _options.Servers.Count;
        BeginAttach();
    }

    private void OnAttached(AttachResponse response, Address from)
    {
        _attached = from;
        _deadline!.Accepted(_attachSentAt);
        if (response.TimeoutMs > 0)
        {
            _deadline.Timeout = TimeSpan.FromMilliseconds(response.TimeoutMs);
            _status.SessionTimeout = _deadline.Timeout;
        }
        SeeSlot(response.Slot);
        _phase = Phase.Attached;
        _nextHeartbeatAt = Now + SessionTimeout / 3;
        if (_start is not null)
        {
            _start.TrySetResult();
            _start = null;
            Publish(ConnectionState.Connected);
        }
        else
        {
            Publish(ConnectionState.Reconnected);
        }
        // Events the replica fired for re-registered watches may have overtaken its AttachResponse.
        var held = _held.ToList();
        _held.Clear();
        foreach (var (message, address) in held)
        {
            if (address == _attached && _phase == Phase.Attached)
            {
                Handle(message);
            }
        }
        if (_phase != Phase.Attached)
        {
            return;
        }
        if (_inFlight is not null)
        {
            SendWrite(_inFlight);
        }
        else
        {
            SendNextWrite();
        }
        foreach (var read in _reads.Values.Where(r => r.SentAt is null).ToList())
        {
            SendRead(read);
        }
        foreach (var subscribe in _subscribes.Values.Where(s => s.SentAt is null).ToList())
        {
            SendSubscribe(subscribe);
        }
    }

    private void Expire()
    {
        if (_closing)
        {
            _inFlight?.Completion.TrySetResult(new WriteOutcome(OkResult.Instance, _lastSeenSlot, null));
            End(ConnectionState.Closed, () => new ObjectDisposedException(nameof(CoordinatorClient)));
            return;
        }
        End(ConnectionState.Expired, () => new SessionExpiredException());
    }

    /// <summary>Final: fails everything pending and ends every stream; later calls fail the same way.</summary>
    private void End(ConnectionState state, Func<Exception> error)
    {
        if (_phase == Phase.Ended)
        {
            if (state == ConnectionState.Closed && _status.State != ConnectionState.Closed)
            {
                Publish(state);
            }
            return;
        }
        _phase = Phase.Ended;
        Timers.CancelAll();
        _start?.TrySetException(error());
        _start = null;
        _inFlight?.Completion.TrySetException(error());
        _inFlight = null;
        while (_writes.TryDequeue(out var write))
        {
            write.Completion.TrySetException(error());
        }
        foreach (var read in _reads.Values)
        {
            read.Completion.TrySetException(error());
        }
        _reads.Clear();
        foreach (var subscribe in _subscribes.Values)
        {
            subscribe.Completion.TrySetException(error());
        }
        _subscribes.Clear();
        foreach (var wait in _lockWaits.Values)
        {
            wait.TrySetException(error());
        }
        _lockWaits.Clear();
        foreach (var subscription in _watches.Subscriptions)
        {
            subscription.End?.Invoke(error());
        }
        Publish(state);
    }

    // ---- requests -------------------------------------------------------------------------------------------

    private void SendNextWrite()
    {
        if (_phase != Phase.Attached || _inFlight is not null)
        {
            return;
        }
        while (_writes.TryDequeue(out var next))
        {
            // A write the caller gave up on before it was ever sent takes no sequence number.
            if (next.Completion.Task.IsCompleted)
            {
                continue;
            }
            next.RequestId = NextRequestId();
            next.Sequence = _nextSequence++;
            _inFlight = next;
            SendWrite(next);
            return;
        }
    }

    private void SendWrite(PendingWrite write)
    {
        write.SentAt = Now;
        write.Sends++;
        Gateway.Tell(new WriteRequest(write.RequestId, _status.SessionId, write.Sequence, write.Bytes), Self);
    }

    private void SendRead(PendingRead read)
    {
        read.SentAt = Now;
        Gateway.Tell(new ReadRequest(read.RequestId, _status.SessionId, _lastSeenSlot, read.Kind, read.Path, read.Watcher is not null), Self);
    }

    private void SendSubscribe(PendingSubscribe subscribe)
    {
        subscribe.SentAt = Now;
        Gateway.Tell(new AddWatchRequest(subscribe.RequestId, _status.SessionId, subscribe.Subscription.Registration), Self);
    }

    // ---- gateway messages -----------------------------------------------------------------------------------

    private void OnGatewayMessage(ClientMessage message)
    {
        var from = Sender.Path.Address;
        switch (_phase)
        {
            case Phase.Creating:
                if (message is WriteResponse response && response.RequestId == _createRequestId)
                {
                    OnCreated(response);
                }
                else if (message is RequestRejected rejected && rejected.RequestId == _createRequestId)
                {
                    _log.Warning("Session create refused by {0}: {1} {2}", Server, rejected.Reason, rejected.Message);
                }
                return;
            case Phase.Attaching:
                if (message is AttachResponse attached && attached.RequestId == _attachRequestId)
                {
                    OnAttached(attached, from);
                }
                else if (message is RequestRejected refused && refused.RequestId == _attachRequestId)
                {
                    OnAttachRefused(refused);
                }
                else
                {
                    _held.Add((message, from));
                }
                return;
            case Phase.Attached:
                // A replica the session left may still be talking; what it says now would skew the last-seen slot
                // the new replica was given, so only the attached replica is heard.
                if (from == _attached)
                {
                    Handle(message);
                }
                return;
            default:
                return;
        }
    }

    private void OnAttachRefused(RequestRejected refused)
    {
        if (refused.Reason is RejectReason.UnknownSession or RejectReason.WrongSecret)
        {
            if (_start is not null)
            {
                FailConnect(new RequestRejectedException((RejectionReason)refused.Reason, refused.Message));
                return;
            }
            Expire();
            return;
        }
        _log.Warning("Attach refused by {0}: {1} {2}", Server, refused.Reason, refused.Message);
        FailOver();
    }

    private void Handle(ClientMessage message)
    {
        switch (message)
        {
            case WriteResponse m:
                OnWriteResponse(m);
                break;
            case ReadResponse m:
                OnReadResponse(m);
                break;
            case WatchAck m:
                OnWatchAck(m);
                break;
            case HeartbeatAck m when m.SessionId == _status.SessionId:
                _deadline!.HeartbeatAcknowledged();
                SeeSlot(m.Slot);
                break;
            case WatchNotification m when m.SessionId == _status.SessionId:
                OnWatchNotification(m);
                break;
            case LockGrantedNotification m when m.SessionId == _status.SessionId:
                SeeSlot(m.Slot);
                if (_lockWaits.Remove(m.Path, out var wait))
                {
                    wait.TrySetResult(m.Token);
                }
                else
                {
                    _earlyGrants[m.Path] = m.Token;
                }
                break;
            case LockLostNotification m when m.SessionId == _status.SessionId:
                SeeSlot(m.Slot);
                _earlyGrants.Remove(m.Path);
                Invoke(() => _status.LockLost?.Invoke(m.Path, m.Token));
                break;
            case SessionEndedNotification m when m.SessionId == _status.SessionId:
                SeeSlot(m.Slot);
                Expire();
                break;
            case RequestRejected m:
                OnRejected(m);
                break;
        }
    }

    private void OnWriteResponse(WriteResponse response)
    {
        if (_inFlight is not { } write || write.RequestId != response.RequestId)
        {
            return;
        }
        SeeSlot(response.Slot);
        _inFlight = null;
        var decoded = ResultCodec.Decode(response.Result);
        if (decoded.Value is not { } result)
        {
            write.Completion.TrySetException(new CoordinatorException(ErrorCode.SystemError, $"undecodable result ({decoded.Error})"));
        }
        else
        {
            write.Completion.TrySetResult(new WriteOutcome(result, response.Slot, TrackLock(write, result)));
        }
        SendNextWrite();
    }

    private Task<long>? TrackLock(PendingWrite write, OpResult result)
    {
        switch (write.Transaction)
        {
            case Acquire acquire when result is LockAcquiredResult:
                // A grant replayed on attach for this Acquire while it was unanswered: the answer already carries it.
                _earlyGrants.Remove(acquire.Path);
                return null;
            case Acquire acquire when result is LockQueuedResult:
                if (_earlyGrants.Remove(acquire.Path, out var token))
                {
                    return Task.FromResult(token);
                }
                var wait = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _lockWaits[acquire.Path] = wait;
                return wait.Task;
            case Withdraw or Release when result.IsOk:
                var path = write.Transaction is Withdraw w ? w.Path : ((Release)write.Transaction).Path;
                _earlyGrants.Remove(path);
                if (_lockWaits.Remove(path, out var abandoned))
                {
                    abandoned.TrySetCanceled();
                }
                return null;
            default:
                return null;
        }
    }

    private void OnReadResponse(ReadResponse response)
    {
        if (!_reads.Remove(response.RequestId, out var read))
        {
            return;
        }
        SeeSlot(response.Slot);
        // The replica registers a watch as ZooKeeper does: exists always, getData/getChildren only on a node.
        var registered = response.Code == ErrorCode.Ok || (read.Kind == ReadKind.Exists && response.Code == ErrorCode.NoNode);
        if (read.Watcher is not null && registered && !read.Completion.Task.IsCompleted)
        {
            var kind = read.Kind == ReadKind.GetChildren ? WatchKind.Children : WatchKind.Data;
            _watches.Add(new WatchSubscription(new WatchRegistration(read.Path, kind), read.Watcher));
        }
        read.Completion.TrySetResult(response);
    }

    private void OnWatchAck(WatchAck ack)
    {
        if (!_subscribes.Remove(ack.RequestId, out var subscribe))
        {
            return;
        }
        SeeSlot(ack.Slot);
        if (subscribe.Completion.TrySetResult())
        {
            _watches.Add(subscribe.Subscription);
        }
    }

    private void OnWatchNotification(WatchNotification notification)
    {
        SeeSlot(notification.Slot);
        // Tolerates a replica that sends one notification per matching watch rather than one per event.
        if (notification.Slot != _notifiedSlot)
        {
            _notifiedSlot = notification.Slot;
            _notifiedAtSlot.Clear();
        }
        var type = notification.Type;
        if (!_notifiedAtSlot.Add((type, notification.Path)))
        {
            return;
        }
        var e = new WatchEvent(type, notification.Path, notification.Slot);
        foreach (var subscription in _watches.Fire(e))
        {
            Invoke(() => subscription.Deliver(e));
        }
    }

    private void OnRejected(RequestRejected rejected)
    {
        if (rejected.Reason is RejectReason.UnknownSession or RejectReason.WrongSecret)
        {
            Expire();
            return;
        }
        // NoQuorum may come after the write was proposed: only an answer or a resend settles it, so it waits for
        // the request timeout like silence.
        if (rejected.Reason == RejectReason.NoQuorum)
        {
            return;
        }
        var error = new RequestRejectedException((RejectionReason)rejected.Reason, rejected.Message);
        if (_inFlight is { } write && write.RequestId == rejected.RequestId)
        {
            // Refused before proposing, and never sent elsewhere: nothing was applied, so the sequence is reused.
            if (write.Sends == 1)
            {
                _inFlight = null;
                _nextSequence = write.Sequence;
                write.Completion.TrySetException(error);
                SendNextWrite();
            }
            return;
        }
        if (_reads.Remove(rejected.RequestId, out var read))
        {
            read.Completion.TrySetException(error);
        }
        else if (_subscribes.Remove(rejected.RequestId, out var subscribe))
        {
            subscribe.Completion.TrySetException(error);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private bool RefuseWhenEnded(TaskCompletionSource completion) => RefuseWhenEnded(e => completion.TrySetException(e));

    private bool RefuseWhenEnded<T>(TaskCompletionSource<T> completion) => RefuseWhenEnded(e => completion.TrySetException(e));

    private bool RefuseWhenEnded(Func<Exception, bool> fail)
    {
        if (_phase != Phase.Ended)
        {
            return false;
        }
        fail(_status.State == ConnectionState.Expired ? new SessionExpiredException() : new ObjectDisposedException(nameof(CoordinatorClient)));
        return true;
    }

    private void SeeSlot(long slot)
    {
        if (slot > _lastSeenSlot)
        {
            _lastSeenSlot = slot;
            _status.LastSeenSlot = slot;
        }
    }

    private void Publish(ConnectionState state)
    {
        _status.State = state;
        Invoke(() => _status.StateChanged?.Invoke(state));
    }

    private void Invoke(Action callback)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            _log.Error(e, "A Coordinator client callback threw; the client ignores it.");
        }
    }

    private long NextRequestId() => _nextRequestId++;

    private sealed class PendingWrite(SubmitWrite submit)
    {
        public Transaction Transaction { get; } = submit.Transaction;

        public byte[] Bytes { get; } = submit.Bytes;

        public TaskCompletionSource<WriteOutcome> Completion { get; } = submit.Completion;

        public long RequestId { get; set; }

        public long Sequence { get; set; }

        public TimeSpan? SentAt { get; set; }

        public int Sends { get; set; }

        public int Failovers { get; set; }
    }

    private sealed class PendingRead(long requestId, SubmitRead submit)
    {
        public long RequestId { get; } = requestId;

        public ReadKind Kind { get; } = submit.Kind;

        public string Path { get; } = submit.Path;

        public Action<WatchEvent>? Watcher { get; } = submit.Watcher;

        public TaskCompletionSource<ReadResponse> Completion { get; } = submit.Completion;

        public TimeSpan? SentAt { get; set; }

        public int Failovers { get; set; }
    }

    private sealed class PendingSubscribe(long requestId, Subscribe subscribe)
    {
        public long RequestId { get; } = requestId;

        public WatchSubscription Subscription { get; } = subscribe.Subscription;

        public TaskCompletionSource Completion { get; } = subscribe.Completion;

        public TimeSpan? SentAt { get; set; }

        public int Failovers { get; set; }
    }
}
