namespace Coordinator.Client;

internal enum SessionHealth
{
    Healthy,

    /// <summary>Past the grace point without an acknowledged heartbeat: the replica may be gone.</summary>
    Jeopardy,

    /// <summary>Past the deadline: the cluster may already have expired the session.</summary>
    Expired,
}
