using Akka.Actor;

namespace Coordinator.Client;

/// <summary>The one <see cref="HeartbeatActor"/> of a client ActorSystem, started with the first session that needs it.</summary>
internal sealed class ClientHeartbeats(IActorRef actor) : IExtension
{
    public IActorRef Actor { get; } = actor;

    private static readonly Provider Id = new();

    public static IActorRef Of(ActorSystem system) => Id.Apply(system).Actor;

    private sealed class Provider : ExtensionIdProvider<ClientHeartbeats>
    {
        public override ClientHeartbeats CreateExtension(ExtendedActorSystem system) =>
            new(system.SystemActorOf(Props.Create(() => new HeartbeatActor()), "coordinator-heartbeat"));
    }
}
