namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// Tests that run real replicas share this collection so they run one at a time: on a 2-core machine, several
/// clusters electing leaders at once would turn timing into noise.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReplicaCollection
{
    public const string Name = "Replicas";
}
