using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>A live session: its timeout, its exactly-once entry, and indexes of what dies with it.</summary>
internal sealed class Session(long id, int timeoutMs, long secret, long lastSeen)
{
    public long Id { get; } = id;

    public int TimeoutMs { get; } = timeoutMs;

    public long Secret { get; } = secret;

    /// <summary>The user a gateway authenticated the session as; null for an anonymous session.</summary>
    public string? User { get; set; }

    /// <summary>Slot time of the session's last command or touch; the tracker's replicated view of liveness.</summary>
    public long LastSeen { get; set; } = lastSeen;

    public long LastSequence { get; set; }

    public OpResult? LastResult { get; set; }

    /// <summary>Rebuilt from the tree on restore, so snapshots do not carry it.</summary>
    public SortedSet<string> Ephemerals { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths of locks this session holds or waits for; rebuilt from the locks on restore.</summary>
    public SortedSet<string> Locks { get; } = new(StringComparer.Ordinal);

    public long Deadline => Saturating.Add(LastSeen, TimeoutMs);
}
