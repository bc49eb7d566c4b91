using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

/// <summary>
/// What a replica saves through the Akka.Persistence snapshot store: its acceptor's durable state (so journal
/// events up to the snapshot can be deleted) and its state machine as of <see cref="State"/>.AppliedBelow.
/// </summary>
internal sealed record ReplicaSnapshot(IReadOnlyList<AcceptorEvent> Acceptor, SnapshotDelivered State);
