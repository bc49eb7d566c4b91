namespace Coordinator.Client.Protocol;

internal enum LockMode : byte
{
    Exclusive = 0,
    Shared = 1,
}
