using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Answer to GetChildren: names sorted ordinally, with the parent's Stat.</summary>
internal readonly record struct ChildrenRead(ErrorCode Code, Stat Stat, IReadOnlyList<string> Children);
