using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// Checks a set workload: clients "add" unique elements (<see cref="Operation.Value"/>) to the set at one key; after
/// healing and a full restart one "read-all" reads the whole set, passed here as <c>finalElements</c> because
/// <see cref="Operation.Result"/> holds a single value. The read comes after every add, so an element's fate is
/// settled: an Ok add must be present, a Failed add must be absent (a definite failure has no effect), an Unknown add
/// may be either, and nothing else may be present. An element added several times counts by its best outcome: any Ok
/// makes it required, else any Unknown makes it optional. "read-all" operations in the history are accepted and
/// ignored.
/// </summary>
public static class SetChecker
{
    private const int ShownElements = 20;

    /// <exception cref="ArgumentException">An operation is not "add" or "read-all", or adds go to more than one key.</exception>
    public static CheckResult Check(IReadOnlyList<Operation> history, IReadOnlySet<long> finalElements)
    {
        var tally = Tally(history, finalElements);
        var summary = $"ok {tally.Ok}, unknown-present {tally.UnknownPresent}, unknown-absent {tally.UnknownAbsent}, " +
                      $"lost {tally.Lost}, phantom {tally.Phantom}";
        if (tally.Lost == 0 && tally.Phantom == 0)
        {
            return CheckResult.Valid(summary);
        }
        return CheckResult.Invalid($"{summary}\n  lost (Ok add, absent at the end): {Shown(tally.LostElements)}\n" +
                                   $"  phantom (present, never added or only by a Failed add): {Shown(tally.PhantomElements)}");
    }

    /// <exception cref="ArgumentException">An operation is not "add" or "read-all", or adds go to more than one key.</exception>
    public static SetTally Tally(IReadOnlyList<Operation> history, IReadOnlySet<long> finalElements)
    {
        var best = new Dictionary<long, Outcome>();
        string? key = null;
        foreach (var operation in history)
        {
            switch (operation.Function)
            {
                case "add":
                    if (key is not null && key != operation.Key)
                    {
                        throw new ArgumentException($"adds to two sets, \"{key}\" and \"{operation.Key}\"", nameof(history));
                    }
                    key = operation.Key;
                    var element = operation.Value
                        ?? throw new ArgumentException($"add without an element: {OperationText.Describe(operation)}", nameof(history));
                    best[element] = best.TryGetValue(element, out var seen) ? Better(seen, operation.Outcome) : operation.Outcome;
                    break;
                case "read-all":
                    break;
                default:
                    throw new ArgumentException($"not a set operation: {OperationText.Describe(operation)}", nameof(history));
            }
        }
        var lost = best.Where(pair => pair.Value == Outcome.Ok && !finalElements.Contains(pair.Key)).Select(pair => pair.Key).Order().ToList();
        var phantom = finalElements.Where(element => !best.TryGetValue(element, out var outcome) || outcome == Outcome.Failed).Order().ToList();
        return new SetTally(
            Ok: best.Count(pair => pair.Value == Outcome.Ok && finalElements.Contains(pair.Key)),
            UnknownPresent: best.Count(pair => pair.Value == Outcome.Unknown && finalElements.Contains(pair.Key)),
            UnknownAbsent: best.Count(pair => pair.Value == Outcome.Unknown && !finalElements.Contains(pair.Key)),
            Lost: lost.Count,
            Phantom: phantom.Count,
            LostElements: lost,
            PhantomElements: phantom);
    }

    private static Outcome Better(Outcome left, Outcome right) =>
        left == Outcome.Ok || right == Outcome.Ok ? Outcome.Ok
        : left == Outcome.Unknown || right == Outcome.Unknown ? Outcome.Unknown
        : Outcome.Failed;

    private static string Shown(IReadOnlyList<long> elements) =>
        elements.Count == 0 ? "none"
        : string.Join(", ", elements.Take(ShownElements)) + (elements.Count > ShownElements ? $", ... ({elements.Count} in all)" : string.Empty);
}
