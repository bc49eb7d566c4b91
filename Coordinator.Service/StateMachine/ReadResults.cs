namespace Coordinator.Service.StateMachine;

/// <summary>Answer to GetData and Exists; Data is empty for Exists and for errors.</summary>
internal readonly record struct NodeRead(ErrorCode Code, Stat Stat, ReadOnlyMemory<byte> Data);

/// <summary>Answer to GetChildren: names sorted ordinally, with the parent's Stat.</summary>
internal readonly record struct ChildrenRead(ErrorCode Code, Stat Stat, IReadOnlyList<string> Children);
