using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Answer to GetData and Exists; Data is empty for Exists and for errors.</summary>
internal readonly record struct NodeRead(ErrorCode Code, Stat Stat, ReadOnlyMemory<byte> Data);
