namespace Coordinator.Faults.Checking;

/// <summary>
/// The optional steps linearized on the way to a search configuration, newest first. An immutable list shares its
/// tail with every configuration further down the same path, so remembering it per visited state costs nothing more
/// than a reference.
/// </summary>
internal sealed class OptionalPath(int step, OptionalPath? rest)
{
    public int Step { get; } = step;

    public OptionalPath? Rest { get; } = rest;

    /// <summary>Whether every step on this path is linearized in <paramref name="linearized"/>.</summary>
    public static bool AllLinearized(OptionalPath? path, bool[] linearized)
    {
        for (var node = path; node is not null; node = node.Rest)
        {
            if (!linearized[node.Step])
            {
                return false;
            }
        }
        return true;
    }
}
