namespace Coordinator.Core.ZooKeeper;

/// <summary>A frame that does not decode as the jute record it claims to be: the connection that sent it is closed.</summary>
internal sealed class JuteException(string reason) : Exception(reason);
