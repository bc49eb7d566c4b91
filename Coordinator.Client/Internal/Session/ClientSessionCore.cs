using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// Every decision of a client's session, with no Akka, clock or randomness: the session's phases (create, attach,
/// attached, moving on, expired, closed), its deadline, the correlation of requests, the single in-flight write and
/// its resends with the same (session, sequence), which server comes next after a failure, the watches re-registered
/// on every attach and the copies of watch events dropped. Each call takes the time as monotonic milliseconds and
/// returns what the shell must do, in order. Gateway messages are heard only from the server the session is attached
/// to, so a watch event is always handled before any response that could show its change. The session does not
/// heartbeat by itself: while attached it names its gateway (<see cref="HeartbeatGateway"/>) and the process's shared
/// heartbeat keeps it alive there; it has no periodic tick either, only a wake-up at its next deadline
/// (<see cref="NextWakeAt"/>).
/// </summary>
internal sealed class ClientSessionCore
{
    private readonly ClientSessionSettings _settings;
    private readonly Func<SessionIdentity> _drawIdentity;
    private readonly List<ClientOutput> _outputs = [];
    private readonly RequestTable _requests = new();
    private readonly WatchTable _watches = new();
    private readonly LockGrants _locks = new();
    private readonly List<(ClientMessage Message, string From)> _held = [];

    private ServerRotation _servers;
    private TaskCompletionSource? _start;
    private long _connectDeadline;
    private long _secret;
    private SessionDeadline? _deadline;
    private string? _attached;
    private long _createRequestId;
    private long _createFirstSentAt;
    private long _createSentAt;
    private long _attachRequestId;
    private long _attachSentAt;
    private bool _closing;

    /// <param name="drawIdentity">The shell's source of fresh session ids and secrets (drawn again when an id clashes).</param>
    public ClientSessionCore(ClientSessionSettings settings, Func<SessionIdentity> drawIdentity)
    {
        _settings = settings;
        _drawIdentity = drawIdentity;
        _servers = new ServerRotation(settings.Servers, 0);
    }

    public SessionPhase Phase { get; private set; }

    public long SessionId { get; private set; }

    public long LastSeenSlot { get; private set; }

    /// <summary>The timeout the cluster negotiated; 0 until the session is created.</summary>
    public long NegotiatedTimeoutMs { get; private set; }

    /// <summary>The server the session talks to now, as an index into the servers.</summary>
    public int Server => _servers.Current;

    public bool Ended => Phase is SessionPhase.Expired or SessionPhase.Closed;

    private long SessionTimeoutMs => _deadline?.TimeoutMs ?? _settings.SessionTimeoutMs;

    /// <summary>
    /// The address of the gateway the session is attached to, which the process's shared heartbeat must name it to;
    /// null while it is not attached (nothing may then keep it alive anywhere).
    /// </summary>
    public string? HeartbeatGateway => Phase == SessionPhase.Attached ? _attached : null;

    /// <summary>The timeout the shared heartbeat keeps this session within.</summary>
    public long HeartbeatTimeoutMs => SessionTimeoutMs;

    /// <summary>
    /// When <see cref="Tick"/> next has anything to decide (a resend, a failover, the grace point, the connect
    /// deadline); null once the session ended. Between now and then a tick does nothing.
    /// </summary>
    public long? NextWakeAt => Phase switch
    {
        SessionPhase.Creating => Math.Min(_connectDeadline, _createSentAt + _settings.RequestTimeoutMs),
        SessionPhase.Attaching => Math.Min(
            Math.Min(_start is null ? long.MaxValue : _connectDeadline, _deadline!.Deadline),
            _attachSentAt + _settings.RequestTimeoutMs),
        SessionPhase.Attached => Math.Min(
            _deadline!.GracePoint,
            _requests.OldestOutstanding() is { } sent ? sent + _settings.RequestTimeoutMs : long.MaxValue),
        _ => null,
    };

    // ---- commands from the public client -------------------------------------------------------------------

    /// <param name="firstServer">The shell's random pick, so that clients spread over the servers.</param>
    public IReadOnlyList<ClientOutput> Start(long now, int firstServer, TaskCompletionSource completion)
    {
        _start = completion;
        _connectDeadline = now + _settings.ConnectTimeoutMs;
        _servers = new ServerRotation(_settings.Servers, firstServer);
        DrawSession();
        _createFirstSentAt = now;
        SendCreate(now);
        return Drain();
    }

    /// <summary>Queued behind the session's other writes; one larger than the gateways take fails at once, unsent.</summary>
    public IReadOnlyList<ClientOutput> SubmitWrite(long now, SubmitWrite submit)
    {
        if (RefuseWhenEnded(error => new FailCall<WriteOutcome>(submit.Completion, error)))
        {
            return Drain();
        }
        if (submit.Bytes.Length > _settings.MaxRequestBytes)
        {
            // Over the frame it would be dropped on the way, unanswered; under it the gateway would refuse it anyway.
            _outputs.Add(new FailCall<WriteOutcome>(submit.Completion, new RequestTooLargeException(submit.Bytes.Length, _settings.MaxRequestBytes)));
            return Drain();
        }
        if (submit.Transaction is CloseSession)
        {
            _closing = true;
        }
        _requests.Enqueue(new PendingWrite(submit));
        SendNextWrite(now);
        return Drain();
    }

    public IReadOnlyList<ClientOutput> SubmitRead(long now, SubmitRead submit)
    {
        if (RefuseWhenEnded(error => new FailCall<ReadResponse>(submit.Completion, error)))
        {
            return Drain();
        }
        var read = _requests.AddRead(submit);
        if (Phase == SessionPhase.Attached)
        {
            SendRead(now, read);
        }
        return Drain();
    }

    public IReadOnlyList<ClientOutput> Subscribe(long now, Subscribe subscribe)
    {
        if (RefuseWhenEnded(error => new FailSignal(subscribe.Completion, error)))
        {
            return Drain();
        }
        var registration = subscribe.Subscription.Registration;
        if (_watches.Contains(registration) && (subscribe.Subscription.From is not { } from || from >= _watches.Newest(registration)))
        {
            // Joins the watch this client already holds, which has every event this consumer asks for from here on.
            _watches.Add(subscribe.Subscription, subscribe.Subscription.From ?? _watches.Newest(registration));
            _outputs.Add(new CompleteSignal(subscribe.Completion));
            return Drain();
        }
        var pending = _requests.AddSubscribe(subscribe);
        if (Phase == SessionPhase.Attached)
        {
            SendSubscribe(now, pending);
        }
        return Drain();
    }

    public IReadOnlyList<ClientOutput> Unsubscribe(Unsubscribe unsubscribe)
    {
        if (_watches.Remove(unsubscribe.Subscription) && Phase == SessionPhase.Attached)
        {
            // Not tracked: if it is lost the replica keeps sending events nobody consumes until the next attach,
            // which no longer lists the watch.
            Send(new RemoveWatchRequest(_requests.NextRequestId(), SessionId, unsubscribe.Subscription.Registration));
        }
        return Drain();
    }

    public IReadOnlyList<ClientOutput> Shutdown(TaskCompletionSource completion)
    {
        End(SessionPhase.Closed, () => new ObjectDisposedException(nameof(CoordinatorClient)));
        _outputs.Add(new CompleteSignal(completion));
        return Drain();
    }

    // ---- time -----------------------------------------------------------------------------------------------

    public IReadOnlyList<ClientOutput> Tick(long now)
    {
        switch (Phase)
        {
            case SessionPhase.Creating:
                if (now >= _connectDeadline)
                {
                    FailConnect(new ConnectionLossException($"No server created a session within {_settings.ConnectTimeout}."));
                }
                else if (now - _createSentAt >= _settings.RequestTimeoutMs)
                {
                    _servers.Advance();
                    SendCreate(now);
                }
                break;
            case SessionPhase.Attaching:
                if (_start is not null && now >= _connectDeadline)
                {
                    FailConnect(new ConnectionLossException($"No server attached the session within {_settings.ConnectTimeout}."));
                }
                else if (_deadline!.Evaluate(now) == SessionHealth.Expired)
                {
                    Expire();
                }
                else if (now - _attachSentAt >= _settings.RequestTimeoutMs)
                {
                    FailOver(now);
                }
                break;
            case SessionPhase.Attached:
                var health = _deadline!.Evaluate(now);
                if (health == SessionHealth.Expired)
                {
                    Expire();
                }
                else if (health == SessionHealth.Jeopardy || _requests.OldestOutstanding() is { } sent && now - sent >= _settings.RequestTimeoutMs)
                {
                    FailOver(now);
                }
                break;
        }
        return Drain();
    }

    // ---- the process's shared heartbeat ---------------------------------------------------------------------

    /// <summary>
    /// The leader heard a shared heartbeat, sent at <paramref name="sentAt"/>, that named this session at
    /// <paramref name="gateway"/>. The deadline counts from it wherever the session is now (the leader heard it, which
    /// is all the deadline asks, and a session that just left that gateway still needs the time it bought); the slot
    /// only when that is the gateway the session is attached to, as for any message.
    /// </summary>
    public IReadOnlyList<ClientOutput> HeartbeatConfirmed(string gateway, long sentAt, long slot)
    {
        if (_deadline is null || Ended)
        {
            return Drain();
        }
        _deadline.HeartbeatAcknowledged(sentAt);
        if (Phase == SessionPhase.Attached && gateway == _attached)
        {
            SeeSlot(slot);
        }
        return Drain();
    }

    /// <summary>
    /// The attached gateway would not take this session in a shared heartbeat: it does not know it (the session is
    /// gone), or another client process holds it there (attaching again restores it), as for a session's own request.
    /// </summary>
    public IReadOnlyList<ClientOutput> HeartbeatRefused(long now, string gateway, RejectReason reason)
    {
        if (Phase == SessionPhase.Attached && gateway == _attached)
        {
            OnRejected(now, new RequestRejected(0, reason, $"the shared heartbeat was refused for session {SessionId}"));
        }
        return Drain();
    }

    // ---- gateway messages -----------------------------------------------------------------------------------

    /// <param name="from">The sender's address, compared only for equality with the attached server's.</param>
    public IReadOnlyList<ClientOutput> Receive(long now, ClientMessage message, string from)
    {
        switch (Phase)
        {
            case SessionPhase.Creating:
                if (message is WriteResponse response && response.RequestId == _createRequestId)
                {
                    OnCreated(now, response);
                }
                else if (message is RequestRejected rejected && rejected.RequestId == _createRequestId)
                {
                    _outputs.Add(new Warn(Server, $"session create refused: {rejected.Reason} {rejected.Message}"));
                }
                break;
            case SessionPhase.Attaching:
                if (message is AttachResponse attached && attached.RequestId == _attachRequestId)
                {
                    OnAttached(now, attached, from);
                }
                else if (message is RequestRejected refused && refused.RequestId == _attachRequestId)
                {
                    OnAttachRefused(now, refused);
                }
                else if (message is ResumeStarted started && started.RequestId == _attachRequestId)
                {
                    // What the gateway sent before it inspected this attach came from an attachment the session had
                    // left; the replay that follows covers it, and held first it would hide the replay's older events.
                    _held.RemoveAll(held => held.Message is WatchNotification);
                }
                else
                {
                    _held.Add((message, from));
                }
                break;
            case SessionPhase.Attached:
                // A replica the session left may still be talking; what it says now would skew the last-seen slot
                // the new replica was given, so only the attached replica is heard.
                if (from == _attached)
                {
                    Handle(now, message);
                }
                break;
        }
        return Drain();
    }

    /// <summary>
    /// A connection closed. A replica that dies closes its connections at once: moving on then, rather than after
    /// the request timeout, is what keeps a failover under a second for the sessions attached to it. Only an
    /// attached session moves on here; an attach that goes nowhere waits for the request timeout, so a client whose
    /// servers are all down does not spin through them.
    /// </summary>
    public IReadOnlyList<ClientOutput> ConnectionLost(long now, string address)
    {
        if (Phase == SessionPhase.Attached && address == _attached)
        {
            FailOver(now);
        }
        return Drain();
    }

    private void Handle(long now, ClientMessage message)
    {
        switch (message)
        {
            case WriteResponse m:
                OnWriteResponse(now, m);
                break;
            case ReadResponse m:
                OnReadResponse(m);
                break;
            case WatchAck m:
                OnWatchAck(m);
                break;
            case WatchNotification m when m.SessionId == SessionId:
                OnWatchNotification(m);
                break;
            case LockGrantedNotification m when m.SessionId == SessionId:
                SeeSlot(m.Slot);
                if (_locks.Granted(m.Path, m.Token) is { } wait)
                {
                    _outputs.Add(new CompleteCall<long>(wait, m.Token));
                }
                break;
            case LockLostNotification m when m.SessionId == SessionId:
                SeeSlot(m.Slot);
                _locks.Lost(m.Path);
                _outputs.Add(new ReportLockLost(m.Path, m.Token));
                break;
            case SessionEndedNotification m when m.SessionId == SessionId:
                SeeSlot(m.Slot);
                Expire();
                break;
            case RequestRejected m:
                OnRejected(now, m);
                break;
        }
    }

    // ---- session establishment and failover ----------------------------------------------------------------

    private void DrawSession()
    {
        var identity = _drawIdentity();
        SessionId = identity.Id;
        _secret = identity.Secret;
    }

    /// <summary>Resent with the same id, secret and sequence 1 on another server: a retried create is deduplicated.</summary>
    private void SendCreate(long now)
    {
        Phase = SessionPhase.Creating;
        _createRequestId = _requests.NextRequestId();
        _createSentAt = now;
        // With credentials the gateway checks the password and proposes the CreateSession itself, naming the user;
        // with a certificate's proof (signed afresh for this server and attempt), naming the certificate's subject.
        var timeoutMs = (int)_settings.SessionTimeoutMs;
        var create = TransactionCodec.Encode(_settings switch
        {
            { Credentials: { } credentials } => new CreateSessionAs(timeoutMs, _secret, credentials.User, credentials.Password),
            { ProveCertificate: { } prove } => prove(_servers.Current, SessionId, timeoutMs, _secret),
            _ => new CreateSession(timeoutMs, _secret),
        });
        Send(new WriteRequest(_createRequestId, SessionId, 1, create));
    }

    private void OnCreated(long now, WriteResponse response)
    {
        var decoded = ResultCodec.Decode(response.Result);
        switch (decoded.Value)
        {
            case SessionCreatedResult created:
                SessionId = created.SessionId;
                NegotiatedTimeoutMs = created.TimeoutMs;
                _deadline = new SessionDeadline(created.TimeoutMs, _createFirstSentAt);
                SeeSlot(response.Slot);
                BeginAttach(now);
                return;
            case ErrorResult { Error: ErrorCode.SessionExists }:
                DrawSession();
                _createFirstSentAt = now;
                SendCreate(now);
                return;
            case { } other:
                FailConnect(Errors.For(other, null));
                return;
            default:
                FailConnect(new CoordinatorException(ErrorCode.SystemError, $"undecodable session result ({decoded.Error})"));
                return;
        }
    }

    private void FailConnect(Exception error)
    {
        if (_start is { } start)
        {
            _outputs.Add(new FailSignal(start, error));
            _start = null;
        }
        End(SessionPhase.Closed, () => error);
    }

    private void BeginAttach(long now)
    {
        Phase = SessionPhase.Attaching;
        _held.Clear();
        _attached = null;
        _attachRequestId = _requests.NextRequestId();
        _attachSentAt = now;
        Send(new AttachRequest(_attachRequestId, SessionId, _secret, LastSeenSlot, _watches.Registrations, _locks.Awaited(_requests.InFlight?.Transaction)));
    }

    /// <summary>Moves the session to the next server; what was sent to this one is resent there (see <see cref="RequestTable.LeaveServer"/>).</summary>
    private void FailOver(long now)
    {
        if (Phase == SessionPhase.Attached)
        {
            Publish(ConnectionState.Disconnected);
        }
        var loss = new ConnectionLossException($"No server answered within {_settings.RequestTimeout} (tried {_settings.Servers}).");
        _outputs.AddRange(_requests.LeaveServer(now, _settings.RequestTimeoutMs, _settings.Servers, loss));
        _servers.Advance();
        BeginAttach(now);
    }

    private void OnAttached(long now, AttachResponse response, string from)
    {
        _attached = from;
        _deadline!.Accepted(_attachSentAt);
        if (response.TimeoutMs > 0)
        {
            _deadline.TimeoutMs = response.TimeoutMs;
            NegotiatedTimeoutMs = response.TimeoutMs;
        }
        SeeSlot(response.Slot);
        Phase = SessionPhase.Attached;
        if (_start is { } start)
        {
            _outputs.Add(new CompleteSignal(start));
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
            if (address == _attached && Phase == SessionPhase.Attached)
            {
                Handle(now, message);
            }
        }
        if (Phase != SessionPhase.Attached)
        {
            return;
        }
        if (_requests.InFlight is { } inFlight)
        {
            SendWrite(now, inFlight);
        }
        else
        {
            SendNextWrite(now);
        }
        foreach (var read in _requests.UnsentReads)
        {
            SendRead(now, read);
        }
        foreach (var subscribe in _requests.UnsentSubscribes)
        {
            SendSubscribe(now, subscribe);
        }
    }

    private void OnAttachRefused(long now, RequestRejected refused)
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
        _outputs.Add(new Warn(Server, $"attach refused: {refused.Reason} {refused.Message}"));
        FailOver(now);
    }

    private void Expire()
    {
        if (_closing)
        {
            if (_requests.InFlight is { } close)
            {
                _outputs.Add(new CompleteCall<WriteOutcome>(close.Completion, new WriteOutcome(OkResult.Instance, LastSeenSlot, null)));
            }
            End(SessionPhase.Closed, () => new ObjectDisposedException(nameof(CoordinatorClient)));
            return;
        }
        End(SessionPhase.Expired, () => new SessionExpiredException());
    }

    /// <summary>Final: fails everything pending and ends every stream; later calls fail the same way.</summary>
    private void End(SessionPhase final, Func<Exception> error)
    {
        if (Ended)
        {
            if (final == SessionPhase.Closed && Phase != SessionPhase.Closed)
            {
                Phase = SessionPhase.Closed;
                Publish(ConnectionState.Closed);
            }
            return;
        }
        Phase = final;
        // Published before anything pending fails: a caller that catches the failure sees the final state.
        Publish(final == SessionPhase.Expired ? ConnectionState.Expired : ConnectionState.Closed);
        if (_start is { } start)
        {
            _outputs.Add(new FailSignal(start, error()));
            _start = null;
        }
        _outputs.AddRange(_requests.FailAll(error));
        foreach (var wait in _locks.TakeAll())
        {
            _outputs.Add(new FailCall<long>(wait, error()));
        }
        foreach (var subscription in _watches.Subscriptions.Where(s => s.End is not null))
        {
            _outputs.Add(new EndSubscription(subscription, error()));
        }
    }

    // ---- requests -------------------------------------------------------------------------------------------

    private void SendNextWrite(long now)
    {
        if (Phase == SessionPhase.Attached && _requests.TakeNextWrite() is { } next)
        {
            SendWrite(now, next);
        }
    }

    private void SendWrite(long now, PendingWrite write)
    {
        write.SentAt = now;
        write.Sends++;
        Send(new WriteRequest(write.RequestId, SessionId, write.Sequence, write.Bytes));
    }

    private void SendRead(long now, PendingRead read)
    {
        read.SentAt = now;
        Send(new ReadRequest(read.RequestId, SessionId, LastSeenSlot, read.Kind, read.Path, read.Watcher is not null, read.Linearizable));
    }

    private void SendSubscribe(long now, PendingSubscribe subscribe)
    {
        subscribe.SentAt = now;
        Send(new AddWatchRequest(subscribe.RequestId, SessionId, subscribe.Subscription.Registration, subscribe.Subscription.From));
    }

    private void OnWriteResponse(long now, WriteResponse response)
    {
        if (_requests.Answered(response.RequestId) is not { } write)
        {
            return;
        }
        SeeSlot(response.Slot);
        var decoded = ResultCodec.Decode(response.Result);
        if (decoded.Value is not { } result)
        {
            _outputs.Add(new FailCall<WriteOutcome>(write.Completion, new CoordinatorException(ErrorCode.SystemError, $"undecodable result ({decoded.Error})") { Outcome = OperationOutcome.Unknown }));
        }
        else
        {
            _locks.Answered(write.Transaction, result, out var grant, out var abandoned);
            _outputs.Add(new CompleteCall<WriteOutcome>(write.Completion, new WriteOutcome(result, response.Slot, grant)));
            if (abandoned is not null)
            {
                _outputs.Add(new CancelCall<long>(abandoned));
            }
        }
        SendNextWrite(now);
    }

    private void OnReadResponse(ReadResponse response)
    {
        if (_requests.TakeRead(response.RequestId) is not { } read)
        {
            return;
        }
        SeeSlot(response.Slot);
        // The replica registers a watch as ZooKeeper does: exists always, getData/getChildren only on a node.
        var registered = response.Code == ErrorCode.Ok || (read.Kind == ReadKind.Exists && response.Code == ErrorCode.NoNode);
        if (read.Watcher is not null && registered && !read.Completion.Task.IsCompleted)
        {
            var kind = read.Kind == ReadKind.GetChildren ? WatchKind.Children : WatchKind.Data;
            // Reads are answered between slots: the watch sees every change after the read's slot.
            _watches.Add(new WatchSubscription(new WatchRegistration(read.Path, kind), read.Watcher), EventPosition.After(response.Slot), response.Code == ErrorCode.Ok);
        }
        _outputs.Add(new CompleteCall<ReadResponse>(read.Completion, response));
    }

    private void OnWatchAck(WatchAck ack)
    {
        if (_requests.TakeSubscribe(ack.RequestId) is not { } subscribe)
        {
            return;
        }
        SeeSlot(ack.Slot);
        if (subscribe.Completion.Task.IsCompleted)
        {
            return;
        }
        var registeredAt = new EventPosition(ack.Slot, ack.Index);
        // Asked from an earlier position, the consumer takes the replay that follows this answer; a replica whose
        // history no longer reaches back that far says so, and the consumer's first event is Compacted.
        _watches.Add(subscribe.Subscription, ack.Compacted ? registeredAt : subscribe.Subscription.From ?? registeredAt);
        _outputs.Add(new CompleteSignal(subscribe.Completion));
        if (ack.Compacted)
        {
            _outputs.Add(new DeliverEvent(subscribe.Subscription, new WatchEvent(WatchEventType.Compacted, subscribe.Subscription.Registration.Path, ack.Slot, ack.Index)));
        }
    }

    private void OnWatchNotification(WatchNotification notification)
    {
        SeeSlot(notification.Slot);
        var e = new WatchEvent(notification.Type, notification.Path, notification.Slot, notification.Index);
        foreach (var subscription in _watches.Fire(e))
        {
            _outputs.Add(new DeliverEvent(subscription, e));
        }
    }

    private void OnRejected(long now, RequestRejected rejected)
    {
        if (rejected.Reason is RejectReason.UnknownSession or RejectReason.WrongSecret)
        {
            Expire();
            return;
        }
        // The gateway no longer takes this client for the session's owner (it dropped the attachment, or another
        // client attached it there): attaching again restores it, and what was refused goes out again.
        if (rejected.Reason == RejectReason.NotSessionOwner)
        {
            FailOver(now);
            return;
        }
        // NoQuorum may come after the write was proposed: only an answer or a resend settles it, so it waits for
        // the request timeout like silence.
        if (rejected.Reason == RejectReason.NoQuorum)
        {
            return;
        }
        var error = new RequestRejectedException((RejectionReason)rejected.Reason, rejected.Message);
        if (_requests.InFlight?.RequestId == rejected.RequestId)
        {
            if (_requests.Refused(rejected.RequestId) is { } write)
            {
                _outputs.Add(new FailCall<WriteOutcome>(write.Completion, error));
                SendNextWrite(now);
            }
        }
        else if (_requests.TakeRead(rejected.RequestId) is { } read)
        {
            _outputs.Add(new FailCall<ReadResponse>(read.Completion, error));
        }
        else if (_requests.TakeSubscribe(rejected.RequestId) is { } subscribe)
        {
            _outputs.Add(new FailSignal(
                subscribe.Completion, rejected.Reason == RejectReason.NoAuth ? new NoAuthException(subscribe.Subscription.Registration.Path) : error));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private bool RefuseWhenEnded(Func<Exception, ClientOutput> fail)
    {
        if (!Ended)
        {
            return false;
        }
        _outputs.Add(fail(Phase == SessionPhase.Expired ? new SessionExpiredException() : new ObjectDisposedException(nameof(CoordinatorClient))));
        return true;
    }

    private void SeeSlot(long slot)
    {
        if (slot > LastSeenSlot)
        {
            LastSeenSlot = slot;
        }
    }

    private void Publish(ConnectionState state) => _outputs.Add(new PublishState(state));

    private void Send(ClientMessage message) => _outputs.Add(new SendToServer(_servers.Current, message));

    private List<ClientOutput> Drain()
    {
        var outputs = _outputs.ToList();
        _outputs.Clear();
        return outputs;
    }
}
