namespace Coordinator.Client;

/// <summary>An ACL given to create or setAcl was refused (ZooKeeper's INVALIDACL); the reason says why. Nothing changed.</summary>
public sealed class InvalidAclException : CoordinatorException
{
    public InvalidAclException(string? path = null)
        : base(ErrorCode.InvalidAcl, path)
    {
    }

    internal InvalidAclException(string? path, string reason)
        : base(ErrorCode.InvalidAcl, path, reason)
    {
    }
}
