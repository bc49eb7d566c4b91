namespace Coordinator.Service.Runtime;

/// <summary>A replica refused to start; the message says why in one line an operator can act on.</summary>
internal sealed class ReplicaStartException(string message, Exception? inner = null) : Exception(message, inner);
