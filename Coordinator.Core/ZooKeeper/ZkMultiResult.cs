using Coordinator.Client;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// One op's result in a MultiResponse: its MultiHeader type (the op code, or -1 for an error), the error, and what
/// the record carries (a created path; a Stat for create2 and setData).
/// </summary>
internal sealed record ZkMultiResult(ZkOpCode Type, ZkError Error, string? Path = null, Stat? Stat = null);
