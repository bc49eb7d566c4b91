namespace Coordinator.Faults.Checking;

/// <summary>
/// The configurations the register search has already explored, with dominance over optional steps: a configuration
/// is keyed by its linearized required steps and register value, and is redundant when one with the same key and a
/// subset of its optional steps linearized was explored. That one had every option it has (an optional step left
/// unlinearized can still be dropped), so if it could not finish, neither can this. Without the dominance each
/// optional step still pending would double the states at every later point of the history.
/// </summary>
internal sealed class SearchMemo
{
    private readonly Dictionary<(ulong Low, ulong High, long? Value), OptionalPath?> _first = [];
    private readonly Dictionary<(ulong Low, ulong High, long? Value), List<OptionalPath?>> _more = [];

    public long Count { get; private set; }

    /// <summary>
    /// Records the configuration and returns true, or returns false if an explored configuration dominates it.
    /// <paramref name="linearized"/> marks every step linearized in it, <paramref name="optional"/> lists its optional ones.
    /// </summary>
    public bool TryVisit(ulong low, ulong high, long? value, OptionalPath? optional, bool[] linearized)
    {
        var key = (low, high, value);
        if (!_first.TryGetValue(key, out var explored))
        {
            _first.Add(key, optional);
            Count++;
            return true;
        }
        if (OptionalPath.AllLinearized(explored, linearized))
        {
            return false;
        }
        if (_more.TryGetValue(key, out var others))
        {
            if (others.Any(other => OptionalPath.AllLinearized(other, linearized)))
            {
                return false;
            }
            others.Add(optional);
        }
        else
        {
            _more.Add(key, [optional]);
        }
        Count++;
        return true;
    }
}
