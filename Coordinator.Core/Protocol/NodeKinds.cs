using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>The properties a <see cref="NodeKind"/> combines, as ZooKeeper's CreateMode flags.</summary>
internal static class NodeKinds
{
    public static bool IsDefined(NodeKind kind) => kind <= NodeKind.PersistentSequentialWithTtl;

    public static bool IsSequential(NodeKind kind) =>
        kind is NodeKind.PersistentSequential or NodeKind.EphemeralSequential or NodeKind.PersistentSequentialWithTtl;

    public static bool IsEphemeral(NodeKind kind) => kind is NodeKind.Ephemeral or NodeKind.EphemeralSequential;

    public static bool HasTtl(NodeKind kind) => kind is NodeKind.PersistentWithTtl or NodeKind.PersistentSequentialWithTtl;
}
