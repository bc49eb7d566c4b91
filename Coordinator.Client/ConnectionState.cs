namespace Coordinator.Client;

public enum ConnectionState
{
    /// <summary>The session was created and attached to a replica.</summary>
    Connected,

    /// <summary>The attached replica stopped answering; the client is moving the session to another one.</summary>
    Disconnected,

    /// <summary>The session is attached again (same session, watches re-registered) after a disconnection.</summary>
    Reconnected,

    /// <summary>The session is gone (ended by the cluster, or its deadline passed with no replica answering). Final.</summary>
    Expired,

    /// <summary>The client was disposed. Final.</summary>
    Closed,
}
