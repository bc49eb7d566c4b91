namespace Coordinator.Service.StateMachine;

internal enum LockMode : byte
{
    Exclusive = 0,
    Shared = 1,
}
