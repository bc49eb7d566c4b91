namespace Coordinator.Client;

/// <summary>
/// Connecting failed: the user name or password is wrong, or the cluster allows no anonymous session
/// (ZooKeeper's AUTHFAILED). No session was created.
/// </summary>
public sealed class AuthFailedException : CoordinatorException
{
    public AuthFailedException()
        : base(ErrorCode.AuthFailed, null)
    {
    }

    internal AuthFailedException(string reason)
        : base(ErrorCode.AuthFailed, null, reason)
    {
    }
}
