namespace Coordinator.Client;

public enum LockMode : byte
{
    Exclusive = 0,
    Shared = 1,
}
