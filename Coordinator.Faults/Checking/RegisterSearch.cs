using System.Text;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// The Wing-Gong search with Lowe's memoisation (as in Porcupine and Knossos) over the history of one register.
/// <para>
/// The call and return events of every step sit in one doubly linked list ordered by time (a call before a return at
/// the same instant, so touching intervals count as concurrent). The search walks the list: at a call it tries to
/// linearize that step now — apply it to the model, remove its call and return from the list, restart from the head;
/// at a return it has found a step that had to be linearized already, so it backtracks to the last choice.
/// </para>
/// <para>
/// Optional steps return at infinity, after every definite return, so reaching one of their returns means every
/// required step is linearized: the history passes, and the optional steps left over simply never took effect. At
/// each configuration the required candidates are tried before the optional ones, so an optional step is linearized
/// only once every required choice at that point is exhausted; together with the dominance in <see cref="SearchMemo"/> this keeps
/// pending Unknown operations from multiplying the states.
/// </para>
/// <para>
/// The memo keys the linearized required steps by a 128-bit Zobrist hash (each step owns two fixed SplitMix64 words,
/// XORed in and out as it is linearized and undone) rather than a copy of the set: a copy costs a bit per step per
/// state, which at thousands of steps and millions of states does not fit in memory. Two distinct sets collide with
/// probability 2^-128, far below any rate a test could observe, and a collision could only prune a branch, never
/// accept a history that is not linearizable.
/// </para>
/// </summary>
internal sealed class RegisterSearch
{
    private const int ShownPrefix = 8;
    private const int ShownCandidates = 12;

    private readonly string _key;
    private readonly IReadOnlyList<RegisterStep> _steps;
    private readonly long? _initial;
    private readonly long _maxStates;

    // The event list: events 0..2n-1 in time order, plus a head sentinel at index 2n; -1 ends the list.
    private readonly int[] _next;
    private readonly int[] _previous;
    private readonly int[] _stepOfEvent;
    private readonly bool[] _isCall;
    private readonly int[] _callOfStep;
    private readonly int[] _returnOfStep;
    private readonly ulong[] _lowHash;
    private readonly ulong[] _highHash;
    private readonly int _head;

    // Interchangeable optional steps: the class of each (-1 for none), its rank in the class by call order, and how
    // many of each class are linearized (always the lowest ranks).
    private readonly int[] _classOfStep;
    private readonly int[] _rankInClass;
    private readonly int[] _linearizedInClass;

    private RegisterSearch(string key, IReadOnlyList<RegisterStep> steps, long? initial, long maxStates)
    {
        _key = key;
        _steps = steps;
        _initial = initial;
        _maxStates = maxStates;
        var count = steps.Count;
        _head = 2 * count;
        _next = new int[2 * count + 1];
        _previous = new int[2 * count + 1];
        _stepOfEvent = new int[2 * count];
        _isCall = new bool[2 * count];
        _callOfStep = new int[count];
        _returnOfStep = new int[count];
        _lowHash = new ulong[count];
        _highHash = new ulong[count];
        _classOfStep = new int[count];
        _rankInClass = new int[count];
        _linearizedInClass = ClassifyInterchangeableSteps();
        BuildEventList();
    }

    public static CheckResult Run(string key, IReadOnlyList<RegisterStep> steps, long? initial, long maxStates) =>
        new RegisterSearch(key, steps, initial, maxStates).Search();

    private void BuildEventList()
    {
        var events = new List<(long Time, bool IsCall, int Step)>(2 * _steps.Count);
        for (var step = 0; step < _steps.Count; step++)
        {
            events.Add((_steps[step].Source.InvokedNanos, true, step));
            events.Add((_steps[step].ReturnNanos, false, step));
            _lowHash[step] = SplitMix64(2 * (ulong)step + 1);
            _highHash[step] = SplitMix64(2 * (ulong)step + 2);
        }
        events.Sort((left, right) =>
            left.Time != right.Time ? left.Time.CompareTo(right.Time)
            : left.IsCall != right.IsCall ? (left.IsCall ? -1 : 1)
            : left.Step.CompareTo(right.Step));
        var previous = _head;
        for (var index = 0; index < events.Count; index++)
        {
            var (_, isCall, step) = events[index];
            _stepOfEvent[index] = step;
            _isCall[index] = isCall;
            if (isCall)
            {
                _callOfStep[step] = index;
            }
            else
            {
                _returnOfStep[step] = index;
            }
            _next[previous] = index;
            _previous[index] = previous;
            previous = index;
        }
        _next[previous] = -1;
    }

    private CheckResult Search()
    {
        var memo = new SearchMemo();
        var stack = new Stack<(int Step, long? ValueBefore)>();
        var linearized = new bool[_steps.Count];
        var best = new int[_steps.Count];
        var bestLength = 0;
        var agreesWithBest = 0;
        var state = _initial;
        ulong low = 0;
        ulong high = 0;
        OptionalPath? optionalPath = null;
        var optionalPass = false;
        var entry = _next[_head];
        while (entry != -1)
        {
            var step = _stepOfEvent[entry];
            var candidate = _steps[step];
            if (_isCall[entry])
            {
                if (candidate.Optional == optionalPass && IsFirstPendingOfItsClass(step) && candidate.TryApply(state, out var next))
                {
                    var (nextLow, nextHigh) = candidate.Optional ? (low, high) : (low ^ _lowHash[step], high ^ _highHash[step]);
                    var nextPath = candidate.Optional ? new OptionalPath(step, optionalPath) : optionalPath;
                    linearized[step] = true;
                    if (memo.TryVisit(nextLow, nextHigh, next, nextPath, linearized))
                    {
                        if (memo.Count > _maxStates)
                        {
                            return CheckResult.TooLarge(
                                $"key \"{_key}\": gave up after {memo.Count} search states ({_steps.Count} operations, " +
                                $"longest linearizable prefix {bestLength})", memo.Count);
                        }
                        stack.Push((step, state));
                        (state, low, high, optionalPath) = (next, nextLow, nextHigh, nextPath);
                        Lift(step);
                        CountInClass(step, +1);
                        if (stack.Count > bestLength)
                        {
                            CopyStackTail(stack, best, agreesWithBest);
                            bestLength = agreesWithBest = stack.Count;
                        }
                        optionalPass = false;
                        entry = _next[_head];
                        continue;
                    }
                    linearized[step] = false;
                }
                entry = _next[entry];
                continue;
            }
            if (candidate.Optional)
            {
                break;
            }
            if (!optionalPass)
            {
                optionalPass = true;
                entry = _next[_head];
                continue;
            }
            if (stack.Count == 0)
            {
                return CheckResult.Invalid(Explain(best.AsSpan(0, bestLength), memo.Count), memo.Count);
            }
            var (undone, valueBefore) = stack.Pop();
            agreesWithBest = Math.Min(agreesWithBest, stack.Count);
            linearized[undone] = false;
            state = valueBefore;
            if (_steps[undone].Optional)
            {
                optionalPath = optionalPath!.Rest;
            }
            else
            {
                low ^= _lowHash[undone];
                high ^= _highHash[undone];
            }
            Unlift(undone);
            CountInClass(undone, -1);
            optionalPass = _steps[undone].Optional;
            entry = _next[_callOfStep[undone]];
        }
        return CheckResult.Valid($"key \"{_key}\": linearizable ({_steps.Count} operations)", memo.Count);
    }

    /// <summary>
    /// Groups optional steps that no operation can tell apart once invoked: same kind, same expected value, and a
    /// value written that no read returned and no cas expected, so the register looks the same whichever of them took
    /// effect. Any completion that linearizes one of a group could linearize the earliest-invoked pending one instead,
    /// so the search only ever tries that one — otherwise each pending Unknown write would be tried at every point the
    /// search backtracks through, multiplying the states by the number pending.
    /// </summary>
    private int[] ClassifyInterchangeableSteps()
    {
        var observed = new HashSet<long?>();
        foreach (var step in _steps)
        {
            observed.Add(step.Kind == RegisterStepKind.Read ? step.Source.Result : step.Source.Expected);
        }
        var classes = new Dictionary<(RegisterStepKind Kind, long? Expected), int>();
        var sizes = new List<int>();
        var byCall = Enumerable.Range(0, _steps.Count).OrderBy(step => _steps[step].Source.InvokedNanos).ThenBy(step => step);
        foreach (var step in byCall)
        {
            var source = _steps[step].Source;
            _classOfStep[step] = -1;
            if (!_steps[step].Optional || observed.Contains(source.Value))
            {
                continue;
            }
            if (!classes.TryGetValue((_steps[step].Kind, source.Expected), out var group))
            {
                group = classes[(_steps[step].Kind, source.Expected)] = sizes.Count;
                sizes.Add(0);
            }
            _classOfStep[step] = group;
            _rankInClass[step] = sizes[group]++;
        }
        return new int[sizes.Count];
    }

    private bool IsFirstPendingOfItsClass(int step) =>
        _classOfStep[step] < 0 || _linearizedInClass[_classOfStep[step]] == _rankInClass[step];

    private void CountInClass(int step, int change)
    {
        if (_classOfStep[step] >= 0)
        {
            _linearizedInClass[_classOfStep[step]] += change;
        }
    }

    /// <summary>
    /// Brings <paramref name="best"/> up to the current stack, copying only the part that changed since they last
    /// agreed, so recording the longest prefix stays linear in the work of the search.
    /// </summary>
    private static void CopyStackTail(Stack<(int Step, long? ValueBefore)> stack, int[] best, int agreeing)
    {
        var index = stack.Count - 1;
        foreach (var (step, _) in stack)
        {
            if (index < agreeing)
            {
                break;
            }
            best[index--] = step;
        }
    }

    private void Lift(int step)
    {
        Unlink(_callOfStep[step]);
        Unlink(_returnOfStep[step]);
    }

    private void Unlift(int step)
    {
        Relink(_returnOfStep[step]);
        Relink(_callOfStep[step]);
    }

    private void Unlink(int entry)
    {
        var next = _next[entry];
        _next[_previous[entry]] = next;
        if (next != -1)
        {
            _previous[next] = _previous[entry];
        }
    }

    private void Relink(int entry)
    {
        var next = _next[entry];
        _next[_previous[entry]] = entry;
        if (next != -1)
        {
            _previous[next] = entry;
        }
    }

    private string Explain(ReadOnlySpan<int> prefix, long states)
    {
        var linearized = new bool[_steps.Count];
        var value = _initial;
        foreach (var step in prefix)
        {
            linearized[step] = true;
            _steps[step].TryApply(value, out value);
        }
        var deadline = long.MaxValue;
        var overdue = -1;
        for (var step = 0; step < _steps.Count; step++)
        {
            if (!linearized[step] && !_steps[step].Optional && _steps[step].ReturnNanos < deadline)
            {
                deadline = _steps[step].ReturnNanos;
                overdue = step;
            }
        }
        var text = new StringBuilder();
        text.Append($"key \"{_key}\" is not linearizable ({_steps.Count} operations, {states} search states).\n");
        text.Append($"Longest linearizable prefix: {prefix.Length} operations, leaving the register at {OperationText.Value(value)}");
        text.Append(prefix.Length > ShownPrefix ? $"; its last {ShownPrefix}:\n" : ":\n");
        foreach (var step in prefix[Math.Max(0, prefix.Length - ShownPrefix)..])
        {
            text.Append("  ").Append(OperationText.Describe(_steps[step].Source)).Append('\n');
        }
        text.Append($"None of these can come next, yet {OperationText.Describe(_steps[overdue].Source)} must have taken effect by its completion:\n");
        var candidates = Enumerable.Range(0, _steps.Count)
            .Where(step => !linearized[step] && _steps[step].Source.InvokedNanos <= deadline)
            .ToList();
        foreach (var step in candidates.Take(ShownCandidates))
        {
            var optional = _steps[step].Optional ? " (optional)" : string.Empty;
            text.Append("  ").Append(OperationText.Describe(_steps[step].Source)).Append(optional).Append('\n');
        }
        if (candidates.Count > ShownCandidates)
        {
            text.Append($"  ... and {candidates.Count - ShownCandidates} more\n");
        }
        return text.ToString();
    }

    private static ulong SplitMix64(ulong seed)
    {
        var z = seed * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
