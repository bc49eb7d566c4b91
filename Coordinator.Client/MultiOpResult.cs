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

    public sealed record Deleted : MultiOpResult;

    public sealed record Checked : MultiOpResult;
}
