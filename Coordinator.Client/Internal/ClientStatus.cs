namespace Coordinator.Client;

/// <summary>What the actor publishes to the public client: read from any thread, written only by the actor.</summary>
internal sealed class ClientStatus
{
    private long _sessionId;
    private long _lastSeenSlot;
    private long _timeoutTicks;
    private int _state = (int)ConnectionState.Disconnected;

    public long SessionId
    {
        get => Volatile.Read(ref _sessionId);
        set => Volatile.Write(ref _sessionId, value);
    }

    public long LastSeenSlot
    {
        get => Volatile.Read(ref _lastSeenSlot);
        set => Volatile.Write(ref _lastSeenSlot, value);
    }

    public TimeSpan SessionTimeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _timeoutTicks));
        set => Volatile.Write(ref _timeoutTicks, value.Ticks);
    }

    public ConnectionState State
    {
        get => (ConnectionState)Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, (int)value);
    }

    /// <summary>Raised on the actor's thread so that handlers see changes in order; handlers must not block.</summary>
    public Action<ConnectionState>? StateChanged { get; set; }

    public Action<string, long>? LockLost { get; set; }
}
