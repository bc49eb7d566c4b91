namespace Coordinator.Client.Protocol;

public enum LockMode : byte
{
    Exclusive = 0,
    Shared = 1,
}
