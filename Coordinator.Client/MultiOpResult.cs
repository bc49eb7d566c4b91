using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>The outcome of one operation of a successful multi, in the order of the operations.</summary>
public abstract record MultiOpResult
{
    private MultiOpResult()
    {
    }

    /// <summary><paramref name="Path"/> carries the sequential suffix when there is one.</summary>
    public sealed record Created(string Path, Stat Stat) : MultiOpResult;

    public sealed record DataSet(Stat Stat) : MultiOpResult;

    /// <param name="Slot">The slot the multi applied at (all its operations share it): a watch from it sees every later change.</param>
    public sealed record Deleted(long Slot) : MultiOpResult;

    /// <param name="Slot">The slot the multi applied at.</param>
    public sealed record Checked(long Slot) : MultiOpResult;
}
