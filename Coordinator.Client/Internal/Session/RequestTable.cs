using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The correlation of a session's requests: request ids to pending reads and watch subscriptions, and the session's
/// writes, of which one at a time is in flight with its sequence. A write keeps its request id and sequence on every
/// resend, so a replica that already applied it answers with the first result instead of applying it again.
/// </summary>
internal sealed class RequestTable
{
    private readonly Queue<PendingWrite> _writes = new();
    private readonly Dictionary<long, PendingRead> _reads = [];
    private readonly Dictionary<long, PendingSubscribe> _subscribes = [];
    private long _nextRequestId = 1;

    // Sequence 1 is the session's create.
    private long _nextSequence = 2;

    public PendingWrite? InFlight { get; private set; }

    public IEnumerable<PendingRead> UnsentReads => _reads.Values.Where(r => r.SentAt is null).ToList();

    public IEnumerable<PendingSubscribe> UnsentSubscribes => _subscribes.Values.Where(s => s.SentAt is null).ToList();

    public long NextRequestId() => _nextRequestId++;

    public void Enqueue(PendingWrite write) => _writes.Enqueue(write);

    /// <summary>The next write to send, now in flight with a sequence of its own; null when none waits.</summary>
    public PendingWrite? TakeNextWrite()
    {
        if (InFlight is not null)
        {
            return null;
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
            InFlight = next;
            return next;
        }
        return null;
    }

    /// <summary>The in-flight write this answer is for, no longer in flight; null for any other answer.</summary>
    public PendingWrite? Answered(long requestId)
    {
        if (InFlight is not { } write || write.RequestId != requestId)
        {
            return null;
        }
        InFlight = null;
        return write;
    }

    /// <summary>
    /// The in-flight write a replica refused before proposing it, given up, when it was never sent elsewhere: then
    /// nothing was applied and its sequence is reused. A refused resend stays in flight (an earlier send may have
    /// been applied) and goes on at the next failover.
    /// </summary>
    public PendingWrite? Refused(long requestId)
    {
        if (InFlight is not { } write || write.RequestId != requestId || write.Sends != 1)
        {
            return null;
        }
        InFlight = null;
        _nextSequence = write.Sequence;
        return write;
    }

    public PendingRead AddRead(SubmitRead submit)
    {
        var read = new PendingRead(NextRequestId(), submit);
        _reads[read.RequestId] = read;
        return read;
    }

    public PendingRead? TakeRead(long requestId) => _reads.Remove(requestId, out var read) ? read : null;

    public PendingSubscribe AddSubscribe(Subscribe subscribe)
    {
        var pending = new PendingSubscribe(NextRequestId(), subscribe);
        _subscribes[pending.RequestId] = pending;
        return pending;
    }

    public PendingSubscribe? TakeSubscribe(long requestId) => _subscribes.Remove(requestId, out var subscribe) ? subscribe : null;

    /// <summary>When the oldest request still waiting for the current server was sent.</summary>
    public long? OldestOutstanding()
    {
        var oldest = InFlight?.SentAt;
        foreach (var sent in _reads.Values.Select(r => r.SentAt).Concat(_subscribes.Values.Select(s => s.SentAt)))
        {
            if (sent is { } at && (oldest is null || at < oldest))
            {
                oldest = at;
            }
        }
        return oldest;
    }

    /// <summary>
    /// The session leaves its server: every sent request waits for the next one. A request that this server left
    /// unanswered for the whole request timeout counts one more server that did not answer; once every server had
    /// its turn the caller gets <paramref name="loss"/>, though the write itself stays in flight so the session's
    /// sequence keeps its order. Younger requests (the failover came from missed heartbeats or a closed connection)
    /// are just resent.
    /// </summary>
    public List<SettleCall> LeaveServer(long now, long requestTimeoutMs, int servers, Exception loss)
    {
        var failed = new List<SettleCall>();
        if (InFlight is { } write)
        {
            if (write.SentAt is { } at && now - at >= requestTimeoutMs && ++write.Failovers >= servers)
            {
                failed.Add(new FailCall<WriteOutcome>(write.Completion, loss));
            }
            write.SentAt = null;
        }
        foreach (var read in _reads.Values.Where(r => r.SentAt is not null).ToList())
        {
            if (read.SentAt is { } at && now - at >= requestTimeoutMs && ++read.Failovers >= servers)
            {
                _reads.Remove(read.RequestId);
                failed.Add(new FailCall<ReadResponse>(read.Completion, loss));
            }
            read.SentAt = null;
        }
        foreach (var subscribe in _subscribes.Values.Where(s => s.SentAt is not null).ToList())
        {
            if (subscribe.SentAt is { } at && now - at >= requestTimeoutMs && ++subscribe.Failovers >= servers)
            {
                _subscribes.Remove(subscribe.RequestId);
                failed.Add(new FailSignal(subscribe.Completion, loss));
            }
            subscribe.SentAt = null;
        }
        return failed;
    }

    /// <summary>Every pending request, forgotten and failed: the session ended.</summary>
    public List<SettleCall> FailAll(Func<Exception> error)
    {
        var failed = new List<SettleCall>();
        if (InFlight is { } write)
        {
            failed.Add(new FailCall<WriteOutcome>(write.Completion, error()));
            InFlight = null;
        }
        while (_writes.TryDequeue(out var queued))
        {
            failed.Add(new FailCall<WriteOutcome>(queued.Completion, error()));
        }
        failed.AddRange(_reads.Values.Select(read => new FailCall<ReadResponse>(read.Completion, error())));
        _reads.Clear();
        failed.AddRange(_subscribes.Values.Select(subscribe => new FailSignal(subscribe.Completion, error())));
        _subscribes.Clear();
        return failed;
    }
}
