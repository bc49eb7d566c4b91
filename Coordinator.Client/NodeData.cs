using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed record NodeData(byte[] Data, Stat Stat);
