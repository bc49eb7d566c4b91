namespace Coordinator.Client;

/// <summary>Where a client's session stands, as <see cref="ClientSessionCore"/> tracks it.</summary>
internal enum SessionPhase
{
    /// <summary>Not started.</summary>
    Idle,

    /// <summary>Waiting for a server to create the session (connecting).</summary>
    Creating,

    /// <summary>
    /// Waiting for a server to attach the created session: connecting while the caller of ConnectAsync waits,
    /// otherwise disconnected (the attached server went silent, or the deadline reached its grace point).
    /// </summary>
    Attaching,

    /// <summary>Attached to one server, which alone is heard.</summary>
    Attached,

    /// <summary>Final: the cluster ended the session, or its deadline passed with no server answering.</summary>
    Expired,

    /// <summary>Final: closed by the caller, or the session could never be created or attached.</summary>
    Closed,
}
