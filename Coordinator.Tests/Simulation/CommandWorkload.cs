namespace Coordinator.Tests.Simulation;

/// <summary>The consensus workload: opaque commands applied to <see cref="SimStateMachine"/>.</summary>
internal sealed class CommandWorkload : SimWorkload
{
    public override ISimStateMachine CreateMachine(byte[]? snapshot) =>
        snapshot is null ? new SimStateMachine() : SimStateMachine.Restore(snapshot);

    public override IReadOnlyList<SimClient> CreateClients(SimulationOptions options) =>
        Enumerable.Range(0, options.Clients)
            .Select(index => new CommandClient(index, 1000 + index, options.MaxCommandsPerClient))
            .ToArray();
}
