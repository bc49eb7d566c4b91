namespace Coordinator.Faults.Harness;

/// <summary>A workload's own definite refusal (a resource rejecting a stale fencing token): recorded as Failed.</summary>
internal sealed class OperationRefused(string message) : Exception(message);
