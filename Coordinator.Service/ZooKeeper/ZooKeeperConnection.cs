using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.ZooKeeper;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.ZooKeeper;

/// <summary>
/// One ZooKeeper client connection: a Coordinator client of the replica's gateway, as a <c>ClientActor</c> is, that
/// speaks jute on its socket. The connect creates a session through the log or attaches an existing one with its
/// secret (the ZooKeeper password). Answers leave in arrival order (<see cref="ZkRequestPipeline"/>: consecutive reads
/// run together, anything else alone after all before it were answered, so a read after a write sees it); watch events
/// are written as the gateway sends them, which is before any answer that shows their change. A frame that does not
/// decode, is longer than jute.maxbuffer or names an op ZooKeeper does not define closes this connection, with a logged
/// reason; an op ZooKeeper defines and Coordinator does not serve is answered UNIMPLEMENTED.
/// </summary>
/// <remarks>
/// Exactly-once: a session's writes carry increasing sequences, one in flight at a time. A connection that attaches
/// an existing session starts at a random distance (up to 2^40) above the last sequence the log applied for it, so
/// a write an earlier connection left in flight at some gateway can never share a sequence with a new one: if it is
/// applied after the new connection's first write, the state machine refuses it as stale.
/// </remarks>
internal sealed class ZooKeeperConnection : UntypedActor, IWithTimers
{
    private const long SequenceSpread = 1L << 40;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FlushOnCloseTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly IActorRef _gateway;
    private readonly IActorRef _replica;
    private readonly ZooKeeperSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _peer;
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _abortWriting = new();
    private readonly SemaphoreSlim _window;
    private readonly ZkRequestPipeline _pipeline = new();

    /// <summary>What the connect waits for (creating the session, attaching it, looking up its last sequence); None once connected.</summary>
    private Waiting _waiting;
    private long _connectRequestId = -1;
    private long _nextRequestId;
    private bool _connected;
    private bool _closing;
    private bool _ended;
    private int _requestedTimeoutMs;
    private long _sessionId;
    private long _secret;
    private int _timeoutMs;
    private long _nextSequence;
    private long _zxid;
    private int _pingsWaiting;
    private long _lastHeardAt = Environment.TickCount64;
    private bool _heardSinceTick;

    public ZooKeeperConnection(Socket socket, IActorRef gateway, IActorRef replica, ZooKeeperSettings settings)
    {
        _socket = socket;
        _gateway = gateway;
        _replica = replica;
        _settings = settings;
        _peer = socket.RemoteEndPoint?.ToString() ?? "unknown peer";
        _window = new SemaphoreSlim(settings.MaxQueuedRequests, settings.MaxQueuedRequests);
    }

    private enum Waiting
    {
        None,
        CreateSession,
        Attach,
        Sequence,
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private static long Now => Environment.TickCount64;

    protected override void PreStart()
    {
        var stream = new NetworkStream(_socket, ownsSocket: false);
        _ = ReadAsync(stream, Self, _settings.MaxFrameBytes, _window, _stopReading.Token);
        _ = WriteAsync(_socket, stream, _outgoing.Reader, _abortWriting.Token);
        Timers.StartSingleTimer("connect", new ConnectionEnded("no session established within 30 s", false), ConnectTimeout);
    }

    protected override void PostStop()
    {
        _stopReading.Cancel();
        _outgoing.Writer.TryComplete();
        _abortWriting.CancelAfter(FlushOnCloseTimeout);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ConnectReceived connect:
                OnConnect(connect.Request);
                break;
            case PacketReceived packet:
                OnPacket(packet.Packet);
                break;
            case ConnectionEnded ended:
                End(ended.Reason, ended.Misbehaved);
                break;
            case WriteResponse response when _waiting == Waiting.CreateSession && response.RequestId == _connectRequestId:
                OnCreated(response);
                break;
            case WriteResponse response when _pipeline.WaitingFor(response.RequestId) is { } written:
                OnWriteResponse(written, response);
                break;
            case ReadResponse response when _pipeline.WaitingFor(response.RequestId) is { } read:
                See(response.Slot);
                Answer(read, ReadAnswer(read, response));
                break;
            case AttachResponse response when _waiting == Waiting.Attach && response.RequestId == _connectRequestId:
                OnAttached(response);
                break;
            case AttachResponse response when _pipeline.WaitingFor(response.RequestId) is { } setWatches:
                See(response.Slot);
                Answer(setWatches, ZkResponses.Header(setWatches.Xid, _zxid, ZkError.Ok));
                break;
            case WatchAck ack when _pipeline.WaitingFor(ack.RequestId) is { } addWatch:
                Answer(addWatch, ZkResponses.WatchAdded(addWatch.Xid, _zxid));
                break;
            case StateQueryResult { Tag: PacketQuery query } result when _pipeline.WaitingFor(query.RequestId) is { } asked:
                See(result.AppliedBelow - 1);
                Answer(asked, QueryAnswer(asked, result));
                break;
            case FourLetterWordReceived word:
                if (ZkFourLetterWords.Answer(word.Word) is { } answer)
                {
                    Send(System.Text.Encoding.ASCII.GetBytes(answer));
                    End($"four-letter word {word.Word} answered", misbehaved: false);
                }
                else
                {
                    End($"four-letter word {word.Word} is not served", misbehaved: true);
                }
                break;
            case StateQueryResult { Tag: SequenceLookup lookup, Result: long lastSequence } when _waiting == Waiting.Sequence && lookup.RequestId == _connectRequestId:
                _nextSequence = lastSequence + 1 + Random.Shared.NextInt64(SequenceSpread);
                OnConnected();
                break;
            case RequestRejected rejected:
                OnRejected(rejected);
                break;
            case WatchNotification notification when notification.SessionId == _sessionId:
                // A Compacted stream has no ZooKeeper event: a data change on the watched path makes its owner read again.
                var type = notification.Type == WatchEventType.Compacted ? WatchEventType.NodeDataChanged : notification.Type;
                Send(ZkResponses.Notification((int)type, notification.Path));
                break;
            case HeartbeatAck:
                for (; _pingsWaiting > 0; _pingsWaiting--)
                {
                    Send(ZkResponses.Header(ZkXids.Ping, _zxid, ZkError.Ok));
                }
                break;
            case SessionEndedNotification ended when ended.SessionId == _sessionId && !_closing:
                End($"session 0x{_sessionId:x} ended", misbehaved: false);
                break;
            case ZooKeeperLivenessTick:
                OnLivenessTick();
                break;
        }
        // Whatever answered the request at the head lets the next one start.
        StartNext();
    }

    // ---- session ----------------------------------------------------------------------------------------------

    private void OnConnect(ZkConnectRecord connect)
    {
        _zxid = Math.Max(0, connect.LastZxidSeen);
        _requestedTimeoutMs = connect.TimeoutMs;
        if (connect.SessionId == 0)
        {
            CreateSession();
            return;
        }
        if (ZkPasswords.ToSecret(connect.Password) is not { } secret)
        {
            Send(ZkResponses.Expired());
            End($"reconnect of session 0x{connect.SessionId:x} with a password this server never handed out", misbehaved: false);
            return;
        }
        _sessionId = connect.SessionId;
        _secret = secret;
        _waiting = Waiting.Attach;
        _gateway.Tell(new AttachRequest(NextRequest(), _sessionId, _secret, _zxid, [], []));
    }

    private void CreateSession()
    {
        _sessionId = Random.Shared.NextInt64(1, long.MaxValue);
        _secret = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
        _waiting = Waiting.CreateSession;
        _gateway.Tell(new WriteRequest(NextRequest(), _sessionId, 1, TransactionCodec.Encode(new CreateSession(_requestedTimeoutMs, _secret))));
    }

    private void OnAttached(AttachResponse response)
    {
        See(response.Slot);
        if (response.TimeoutMs > 0)
        {
            _timeoutMs = response.TimeoutMs;
        }
        _waiting = Waiting.Sequence;
        var sessionId = _sessionId;
        _replica.Tell(new StateQuery(response.Slot + 1, machine => ZooKeeperQueries.LastSequence(machine, sessionId), new SequenceLookup(NextRequest())), Self);
    }

    private void OnConnected()
    {
        _connected = true;
        _waiting = Waiting.None;
        Timers.Cancel("connect");
        Send(ZkResponses.Connect(_timeoutMs, _sessionId, ZkPasswords.FromSecret(_secret)));
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, _timeoutMs / 3));
        Timers.StartPeriodicTimer("liveness", ZooKeeperLivenessTick.Instance, interval);
        if (_pingsWaiting > 0)
        {
            _gateway.Tell(new Heartbeat(_sessionId));
        }
        _log.Debug("ZooKeeper client {0}: session 0x{1:x}, timeout {2} ms", _peer, _sessionId, _timeoutMs);
    }

    /// <summary>
    /// ZooKeeper's server counts any packet as a sign of life: the gateway hears a heartbeat each period in which the
    /// client sent something, and a client silent for its whole session timeout loses the connection.
    /// </summary>
    private void OnLivenessTick()
    {
        if (Now - _lastHeardAt > _timeoutMs)
        {
            End($"session 0x{_sessionId:x}: nothing heard for its {_timeoutMs} ms timeout", misbehaved: false);
            return;
        }
        if (_heardSinceTick)
        {
            _heardSinceTick = false;
            _gateway.Tell(new Heartbeat(_sessionId));
        }
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    private void OnPacket(ZkPacket packet)
    {
        _lastHeardAt = Now;
        _heardSinceTick = true;
        if (packet.Op == ZkOpCode.Ping)
        {
            // Answered once the leader has heard of the session: a replica cut off from the leader lets its clients'
            // pings go unanswered, so they move to another server, as they would from a ZooKeeper follower.
            _pingsWaiting++;
            if (_connected)
            {
                _gateway.Tell(new Heartbeat(_sessionId));
            }
            return;
        }
        _pipeline.Enqueue(packet);
    }

    /// <summary>Starts what the pipeline lets start (see <see cref="ZkRequestPipeline"/>).</summary>
    private void StartNext()
    {
        while (_connected && !_ended && _pipeline.Start() is { } packet)
        {
            if (_closing)
            {
                Answer(packet, ZkResponses.Header(packet.Xid, _zxid, ZkError.SessionExpired));
            }
            else
            {
                Start(packet);
            }
        }
    }

    private void Start(ZkPacket packet)
    {
        switch (packet.Op, packet.Request)
        {
            case (ZkOpCode.Create or ZkOpCode.Create2 or ZkOpCode.CreateContainer or ZkOpCode.CreateTtl or ZkOpCode.Delete
                or ZkOpCode.SetData or ZkOpCode.Check or ZkOpCode.Multi or ZkOpCode.SetAcl or ZkOpCode.Auth, var request):
                var (transaction, error) = ZkTranslation.ToTransaction(packet.Op, request);
                if (transaction is null)
                {
                    Answer(packet, ZkResponses.Header(packet.Xid, _zxid, error));
                    EndAfterAuthFailed(packet, error);
                    return;
                }
                Write(packet, transaction);
                return;
            case (ZkOpCode.Sync, _):
                Write(packet, Sync.Instance);
                return;
            case (ZkOpCode.CloseSession, _):
                _closing = true;
                Write(packet, CloseSession.Instance);
                return;
            case (ZkOpCode.Exists, ZkReadRecord read):
                Read(packet, ReadKind.Exists, read.Path, read.Watch);
                return;
            case (ZkOpCode.GetData, ZkReadRecord read):
                Read(packet, ReadKind.GetData, read.Path, read.Watch);
                return;
            case (ZkOpCode.GetChildren or ZkOpCode.GetChildren2, ZkReadRecord read):
                Read(packet, ReadKind.GetChildren, read.Path, read.Watch);
                return;
            case (ZkOpCode.GetAcl, ZkPathRecord acl):
                Read(packet, ReadKind.GetAcl, acl.Path, watch: false);
                return;
            case (ZkOpCode.GetEphemerals, ZkPathRecord prefix):
                var sessionId = _sessionId;
                Query(packet, machine => ZooKeeperQueries.Ephemerals(machine, sessionId, prefix.Path));
                return;
            case (ZkOpCode.GetAllChildrenNumber, ZkPathRecord below):
                Query(packet, machine => ZooKeeperQueries.AllChildrenNumber(machine, below.Path));
                return;
            case (ZkOpCode.SetWatches or ZkOpCode.SetWatches2, ZkSetWatchesRecord set):
                SetWatches(packet, set);
                return;
            case (ZkOpCode.AddWatch, ZkAddWatchRecord add) when add.Mode is 0 or 1:
                var kind = add.Mode == 0 ? WatchKind.Persistent : WatchKind.PersistentRecursive;
                _gateway.Tell(new AddWatchRequest(Ask(packet), _sessionId, new WatchRegistration(add.Path, kind)));
                return;
            case (ZkOpCode.AddWatch, _):
                Answer(packet, ZkResponses.Header(packet.Xid, _zxid, ZkError.BadArguments));
                return;
            default:
                _log.Debug("ZooKeeper client {0}: op {1} is not served; answered UNIMPLEMENTED", _peer, packet.Op);
                Answer(packet, ZkResponses.Header(packet.Xid, _zxid, ZkError.Unimplemented));
                return;
        }
    }

    private void Write(ZkPacket packet, Transaction transaction) =>
        _gateway.Tell(new WriteRequest(Ask(packet), _sessionId, _nextSequence++, TransactionCodec.Encode(transaction)));

    private void Read(ZkPacket packet, ReadKind kind, string path, bool watch) =>
        _gateway.Tell(new ReadRequest(Ask(packet), _sessionId, _zxid, kind, path, watch));

    /// <summary>An op the gateway has no read for, asked of the replica's state once it has applied what this client saw.</summary>
    private void Query(ZkPacket packet, Func<IReplicatedStateMachine, object> query) =>
        _replica.Tell(new StateQuery(_zxid + 1, query, new PacketQuery(Ask(packet))), Self);

    /// <summary>
    /// The client's watches after a reconnect, with the last zxid it saw: the gateway replays what each missed after
    /// that slot from its history (or applies ZooKeeper's setWatches rule when its history does not reach back).
    /// </summary>
    private void SetWatches(ZkPacket packet, ZkSetWatchesRecord set)
    {
        var seenThrough = EventPosition.After(Math.Min(set.RelativeZxid, _zxid));
        var watches = set.DataWatches.Concat(set.ExistWatches).Select(path => new WatchRegistration(path, WatchKind.Data))
            .Concat(set.ChildWatches.Select(path => new WatchRegistration(path, WatchKind.Children)))
            .Concat(set.PersistentWatches.Select(path => new WatchRegistration(path, WatchKind.Persistent)))
            .Concat(set.PersistentRecursiveWatches.Select(path => new WatchRegistration(path, WatchKind.PersistentRecursive)))
            .Distinct()
            .Select(watch => new ResumedWatch(watch, seenThrough))
            .ToList();
        _gateway.Tell(new AttachRequest(Ask(packet), _sessionId, _secret, _zxid, watches, []));
    }

    private void OnCreated(WriteResponse response)
    {
        See(response.Slot);
        switch (ResultCodec.Decode(response.Result).Value)
        {
            case SessionCreatedResult created:
                _sessionId = created.SessionId;
                _timeoutMs = created.TimeoutMs;
                _nextSequence = 2;
                OnConnected();
                return;
            case ErrorResult { Error: ErrorCode.SessionExists }:
                CreateSession();
                return;
            case var other:
                End($"session creation failed: {other?.Code.ToString() ?? "undecodable result"}", misbehaved: false);
                return;
        }
    }

    private void OnWriteResponse(ZkPacket packet, WriteResponse response)
    {
        See(response.Slot);
        var result = ResultCodec.Decode(response.Result).Value;
        Answer(packet, result is null ? ZkResponses.Header(packet.Xid, response.Slot, ZkError.SystemError) : WriteAnswer(packet, response.Slot, result));
        if (packet.Op == ZkOpCode.CloseSession)
        {
            End($"session 0x{_sessionId:x} closed by its client", misbehaved: false);
        }
        EndAfterAuthFailed(packet, result is { Code: ErrorCode.AuthFailed } ? ZkError.AuthFailed : ZkError.Ok);
    }

    /// <summary>A failed addauth closes the connection once its answer is out, as ZooKeeper's server does.</summary>
    private void EndAfterAuthFailed(ZkPacket packet, ZkError error)
    {
        if (packet.Op == ZkOpCode.Auth && error == ZkError.AuthFailed)
        {
            End($"session 0x{_sessionId:x}: addauth failed", misbehaved: false);
        }
    }

    private static byte[] WriteAnswer(ZkPacket packet, long slot, OpResult result)
    {
        if (packet.Request is ZkMultiRecord multi && result is not ErrorResult)
        {
            return ZkResponses.Multi(packet.Xid, slot, ZkTranslation.MultiResults(multi, result));
        }
        if (!result.IsOk)
        {
            return ZkResponses.Header(packet.Xid, slot, ZkTranslation.ToZk(result.Code));
        }
        return (packet.Op, result, packet.Request) switch
        {
            (ZkOpCode.Create, CreatedResult created, _) => ZkResponses.Created(packet.Xid, slot, created.Path),
            (ZkOpCode.Create2 or ZkOpCode.CreateContainer or ZkOpCode.CreateTtl, CreatedResult created, _) =>
                ZkResponses.Created2(packet.Xid, slot, created.Path, created.Stat),
            (ZkOpCode.SetData, StatResult stat, _) => ZkResponses.Stat(packet.Xid, slot, stat.Stat),
            (ZkOpCode.SetAcl, AclSetResult set, _) => ZkResponses.AclSet(packet.Xid, slot, set.Stat, set.AclVersion),
            (ZkOpCode.Sync, _, ZkPathRecord sync) => ZkResponses.Path(packet.Xid, slot, sync.Path),
            _ => ZkResponses.Header(packet.Xid, slot, ZkError.Ok),
        };
    }

    private static byte[] ReadAnswer(ZkPacket packet, ReadResponse response)
    {
        if (response.Code != ErrorCode.Ok)
        {
            return ZkResponses.Header(packet.Xid, response.Slot, ZkTranslation.ToZk(response.Code));
        }
        return packet.Op switch
        {
            ZkOpCode.Exists => ZkResponses.Stat(packet.Xid, response.Slot, response.Stat),
            ZkOpCode.GetData => ZkResponses.Data(packet.Xid, response.Slot, response.Data, response.Stat),
            ZkOpCode.GetChildren => ZkResponses.Children(packet.Xid, response.Slot, response.Children),
            ZkOpCode.GetChildren2 => ZkResponses.Children2(packet.Xid, response.Slot, response.Children, response.Stat),
            _ => AclAnswer(packet, response),
        };
    }

    private static byte[] AclAnswer(ZkPacket packet, ReadResponse response)
    {
        var (aclVersion, acl) = AclCodec.DecodeRead(response.Data);
        return ZkResponses.Acl(packet.Xid, response.Slot, acl, aclVersion, response.Stat);
    }

    private static byte[] QueryAnswer(ZkPacket packet, StateQueryResult result)
    {
        var zxid = result.AppliedBelow - 1;
        return result.Result switch
        {
            List<string> ephemerals => ZkResponses.Children(packet.Xid, zxid, ephemerals),
            int number => ZkResponses.Number(packet.Xid, zxid, number),
            ErrorCode code => ZkResponses.Header(packet.Xid, zxid, ZkTranslation.ToZk(code)),
            _ => ZkResponses.Header(packet.Xid, zxid, ZkError.SystemError),
        };
    }

    private void OnRejected(RequestRejected rejected)
    {
        var forConnect = _waiting is not Waiting.None;
        if (rejected.Reason is RejectReason.UnknownSession or RejectReason.WrongSecret && (forConnect || rejected.RequestId == 0))
        {
            if (!_connected)
            {
                Send(ZkResponses.Expired());
            }
            End($"session 0x{_sessionId:x}: {rejected.Message}", misbehaved: false);
            return;
        }
        if (rejected.RequestId == 0 && rejected.Reason == RejectReason.NotSessionOwner)
        {
            // A heartbeat refused: another connection attached the session here since.
            End($"session 0x{_sessionId:x} was attached by another connection", misbehaved: false);
            return;
        }
        var packet = _pipeline.WaitingFor(rejected.RequestId);
        if (forConnect ? rejected.RequestId != _connectRequestId : packet is null)
        {
            return;
        }
        // The gateway no longer takes this connection for the session's owner, or no leader took the write in time:
        // the client reconnects (to this replica or another), as after a lost connection, and the attach decides.
        if (packet is null || rejected.Reason is RejectReason.NotSessionOwner or RejectReason.NoQuorum or RejectReason.UnknownSession or RejectReason.WrongSecret)
        {
            End($"session 0x{_sessionId:x}: {rejected.Reason}: {rejected.Message}", misbehaved: false);
            return;
        }
        _log.Warning("ZooKeeper client {0}: {1} refused ({2}: {3})", _peer, packet.Op, rejected.Reason, rejected.Message);
        var error = rejected.Reason switch
        {
            RejectReason.TooManyInFlight => ZkError.ThrottledOp,
            RejectReason.RequestTooLarge => ZkError.BadArguments,
            _ => ZkError.SystemError,
        };
        Answer(packet, ZkResponses.Header(packet.Xid, _zxid, error));
    }

    // ---- output ---------------------------------------------------------------------------------------------

    /// <summary>Answers a running request and sends every answer that may leave, freeing their places in the read window.</summary>
    private void Answer(ZkPacket packet, byte[] frame)
    {
        _pipeline.Answer(packet, frame);
        foreach (var answer in _pipeline.TakeAnswers())
        {
            Send(answer);
            _window.Release();
        }
    }

    /// <summary>The next gateway request id, for <paramref name="packet"/>'s answer.</summary>
    private long Ask(ZkPacket packet)
    {
        _pipeline.Asked(packet, ++_nextRequestId);
        return _nextRequestId;
    }

    private void Send(byte[] frame) => _outgoing.Writer.TryWrite(frame);

    private long NextRequest() => _connectRequestId = ++_nextRequestId;

    private void See(long slot) => _zxid = Math.Max(_zxid, slot);

    private void End(string reason, bool misbehaved)
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        if (misbehaved)
        {
            _log.Warning("ZooKeeper client {0} disconnected: {1}", _peer, reason);
        }
        else
        {
            _log.Debug("ZooKeeper client {0} disconnected: {1}", _peer, reason);
        }
        Context.Stop(Self);
    }

    // ---- socket loops -----------------------------------------------------------------------------------------

    private static async Task ReadAsync(Stream stream, IActorRef self, int maxFrameBytes, SemaphoreSlim window, CancellationToken stop)
    {
        // The writer shares the stream and closes it once its last frame is out.
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var connected = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(stop);
                var buffer = result.Buffer;
                if (!connected && buffer.Length >= ZkFrames.PrefixBytes && FourLetterWord(buffer) is { } word)
                {
                    self.Tell(new FourLetterWordReceived(word));
                    return;
                }
                while (TakeFrame(ref buffer, maxFrameBytes) is { } frame)
                {
                    if (!connected)
                    {
                        self.Tell(new ConnectReceived(ZkRequestCodec.DecodeConnect(frame)));
                        connected = true;
                        continue;
                    }
                    var packet = ZkRequestCodec.Decode(frame);
                    if (packet.Op != ZkOpCode.Ping)
                    {
                        // Past the window the server stops reading this client, as ZooKeeper's throttle does.
                        await window.WaitAsync(stop);
                    }
                    self.Tell(new PacketReceived(packet));
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    self.Tell(new ConnectionEnded("the client closed the connection", false));
                    return;
                }
            }
        }
        catch (JuteException malformed)
        {
            self.Tell(new ConnectionEnded($"malformed frame: {malformed.Message}", true));
        }
        catch (Exception lost) when (!stop.IsCancellationRequested && lost is IOException or SocketException or ObjectDisposedException)
        {
            self.Tell(new ConnectionEnded($"connection lost: {lost.Message}", false));
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The actor stopped first and closed the socket.
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static string? FourLetterWord(ReadOnlySequence<byte> buffer)
    {
        Span<byte> first = stackalloc byte[ZkFrames.PrefixBytes];
        buffer.Slice(0, ZkFrames.PrefixBytes).CopyTo(first);
        return ZkFourLetterWords.Word(first);
    }

    private static byte[]? TakeFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes)
    {
        if (buffer.Length < ZkFrames.PrefixBytes)
        {
            return null;
        }
        Span<byte> prefix = stackalloc byte[ZkFrames.PrefixBytes];
        buffer.Slice(0, ZkFrames.PrefixBytes).CopyTo(prefix);
        var length = ZkFrames.ReadLength(prefix, maxFrameBytes);
        if (buffer.Length < ZkFrames.PrefixBytes + length)
        {
            return null;
        }
        var frame = buffer.Slice(ZkFrames.PrefixBytes, length).ToArray();
        buffer = buffer.Slice(ZkFrames.PrefixBytes + length);
        return frame;
    }

    /// <summary>Writes frames in order, flushing when none are waiting; once the actor is gone, flushes what is left and closes.</summary>
    private static async Task WriteAsync(Socket socket, Stream stream, ChannelReader<byte[]> frames, CancellationToken abort)
    {
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            while (await frames.WaitToReadAsync(abort))
            {
                while (frames.TryRead(out var frame))
                {
                    writer.Write(frame);
                }
                await writer.FlushAsync(abort);
            }
        }
        catch (Exception gone) when (gone is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, or would not read what was left within the flush timeout.
        }
        finally
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer.
            }
            await stream.DisposeAsync();
            socket.Dispose();
        }
    }

    private sealed record SequenceLookup(long RequestId);

    private sealed record PacketQuery(long RequestId);
}
