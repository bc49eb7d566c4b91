namespace Coordinator.Service.FaultInjection;

/// <summary>The answer to a <see cref="BlackholeCommand"/>: the transport drops exactly what it names from now on.</summary>
internal sealed record BlackholeApplied
{
    public static BlackholeApplied Instance { get; } = new();

    private BlackholeApplied()
    {
    }
}
