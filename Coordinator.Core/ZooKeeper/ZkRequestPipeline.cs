namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// The order rule of one ZooKeeper connection, with no actor or socket: requests start in arrival order, consecutive
/// reads together, anything else alone once all before it were answered (so a read after a write sees it, and writes
/// of a session go one at a time); answers leave in arrival order, each once all before it have left.
/// </summary>
internal sealed class ZkRequestPipeline
{
    private readonly Queue<ZkPacket> _queued = new();
    private readonly List<Entry> _running = [];

    public int Queued => _queued.Count;

    public int Running => _running.Count;

    /// <summary>Reads of the state this client has seen: they may run beside each other.</summary>
    public static bool IsRead(ZkOpCode op) =>
        op is ZkOpCode.Exists or ZkOpCode.GetData or ZkOpCode.GetChildren or ZkOpCode.GetChildren2 or ZkOpCode.GetAcl
            or ZkOpCode.GetEphemerals or ZkOpCode.GetAllChildrenNumber;

    public void Enqueue(ZkPacket packet) => _queued.Enqueue(packet);

    /// <summary>The next request that may start now, moved to the running ones; null when none may.</summary>
    public ZkPacket? Start()
    {
        if (!_queued.TryPeek(out var next) || (_running.Count > 0 && !(IsRead(next.Op) && _running.TrueForAll(entry => IsRead(entry.Packet.Op)))))
        {
            return null;
        }
        _queued.Dequeue();
        _running.Add(new Entry(next));
        return next;
    }

    /// <summary>The started <paramref name="packet"/> waits for the answer to <paramref name="requestId"/>.</summary>
    public void Asked(ZkPacket packet, long requestId) => EntryOf(packet).RequestId = requestId;

    /// <summary>The running request that waits for <paramref name="requestId"/>, if any still does.</summary>
    public ZkPacket? WaitingFor(long requestId) => _running.Find(entry => entry.RequestId == requestId && entry.Answer is null)?.Packet;

    public void Answer(ZkPacket packet, byte[] frame)
    {
        var entry = EntryOf(packet);
        entry.Answer = frame;
        entry.RequestId = -1;
    }

    /// <summary>The answers that may leave now, in arrival order; their requests are done.</summary>
    public List<byte[]> TakeAnswers()
    {
        var answers = new List<byte[]>();
        while (_running.Count > 0 && _running[0].Answer is { } answer)
        {
            answers.Add(answer);
            _running.RemoveAt(0);
        }
        return answers;
    }

    private Entry EntryOf(ZkPacket packet) =>
        _running.Find(entry => ReferenceEquals(entry.Packet, packet)) ?? throw new InvalidOperationException($"xid {packet.Xid} is not running");

    private sealed class Entry(ZkPacket packet)
    {
        public ZkPacket Packet { get; } = packet;

        public long RequestId { get; set; } = -1;

        public byte[]? Answer { get; set; }
    }
}
