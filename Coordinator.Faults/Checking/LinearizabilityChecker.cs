using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// Checks that a history of register operations ("read", "write", "cas") is linearizable, key by key: a register's
/// operations never constrain another's, so each key is searched on its own (P-compositionality), which keeps the
/// search exponential only in the concurrency on one key.
/// <para>
/// What each operation means to the register model (null is "no value": the node does not exist):
/// <list type="bullet">
/// <item>read: Ok must have seen exactly <see cref="Operation.Result"/>; a Failed or Unknown read observed nothing and
/// is dropped.</item>
/// <item>write: Ok sets <see cref="Operation.Value"/>; Failed is a definite non-effect and is dropped; Unknown may
/// take effect at any point after its invocation, or never.</item>
/// <item>cas: Ok saw <see cref="Operation.Expected"/> and set <see cref="Operation.Value"/>; Failed changed nothing
/// and saw a value other than Expected, so it is linearized as a read with that constraint; Unknown may apply (only
/// where the register holds Expected) at any point after its invocation, or never.</item>
/// </list>
/// An Unknown write or cas whose value no read or cas ever observed is dropped before the search when the key has no
/// Failed cas: nothing could tell whether it took effect, and each pending optional operation multiplies the states
/// the search may visit. A Failed cas could tell (the value it overwrote might be the one the cas expected), so then
/// the operation stays.
/// </para>
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>
    /// Bound on the distinct states searched per key; each costs some tens of bytes of memo, so the default stays
    /// under a gigabyte.
    /// </summary>
    public const long DefaultMaxStates = 10_000_000;

    private static readonly IReadOnlyDictionary<string, long?> NoInitialValues = new Dictionary<string, long?>();

    /// <summary>Checks every key, each register starting empty (null), within <see cref="DefaultMaxStates"/>.</summary>
    public static CheckResult Check(IReadOnlyList<Operation> history) => Check(history, NoInitialValues, DefaultMaxStates);

    /// <summary>
    /// Checks every key; a key missing from <paramref name="initialValues"/> starts empty (null). Invalid if any key
    /// is not linearizable (the explanation covers each such key), else TooLarge if any key's search exceeded
    /// <paramref name="maxStates"/>, else Valid. <see cref="CheckResult.SearchStates"/> sums over the keys.
    /// </summary>
    /// <exception cref="ArgumentException">An operation is not "read", "write" or "cas".</exception>
    public static CheckResult Check(IReadOnlyList<Operation> history, IReadOnlyDictionary<string, long?> initialValues, long maxStates)
    {
        var results = history
            .GroupBy(operation => operation.Key)
            .OrderBy(key => key.Key, StringComparer.Ordinal)
            .Select(key => RegisterSearch.Run(
                key.Key, Steps([.. key]), initialValues.GetValueOrDefault(key.Key), maxStates))
            .ToList();
        var states = results.Sum(result => result.SearchStates);
        var invalid = results.Where(result => result.Verdict == Verdict.Invalid).ToList();
        if (invalid.Count > 0)
        {
            return CheckResult.Invalid(string.Join("\n", invalid.Select(result => result.Explanation)), states);
        }
        var tooLarge = results.Where(result => result.Verdict == Verdict.TooLarge).ToList();
        if (tooLarge.Count > 0)
        {
            return CheckResult.TooLarge(string.Join("\n", tooLarge.Select(result => result.Explanation)), states);
        }
        return CheckResult.Valid($"{history.Count} operations on {results.Count} keys are linearizable", states);
    }

    private static List<RegisterStep> Steps(IReadOnlyList<Operation> operations)
    {
        var observed = new HashSet<long?>();
        var hasFailedCompareAndSet = false;
        foreach (var operation in operations)
        {
            switch (operation.Function, operation.Outcome)
            {
                case ("read", Outcome.Ok):
                    observed.Add(operation.Result);
                    break;
                case ("cas", Outcome.Failed):
                    hasFailedCompareAndSet = true;
                    break;
                case ("cas", _):
                    observed.Add(operation.Expected);
                    break;
                case ("read", _) or ("write", _):
                    break;
                default:
                    throw new ArgumentException($"not a register operation: {OperationText.Describe(operation)}", nameof(operations));
            }
        }
        var steps = new List<RegisterStep>(operations.Count);
        foreach (var operation in operations)
        {
            var mayMatter = hasFailedCompareAndSet || observed.Contains(operation.Value);
            RegisterStep? step = (operation.Function, operation.Outcome) switch
            {
                ("read", Outcome.Ok) => new RegisterStep(operation, RegisterStepKind.Read, Optional: false),
                ("write", Outcome.Ok) => new RegisterStep(operation, RegisterStepKind.Write, Optional: false),
                ("write", Outcome.Unknown) when mayMatter => new RegisterStep(operation, RegisterStepKind.Write, Optional: true),
                ("cas", Outcome.Ok) => new RegisterStep(operation, RegisterStepKind.CompareAndSet, Optional: false),
                ("cas", Outcome.Failed) => new RegisterStep(operation, RegisterStepKind.FailedCompareAndSet, Optional: false),
                ("cas", Outcome.Unknown) when mayMatter => new RegisterStep(operation, RegisterStepKind.CompareAndSet, Optional: true),
                _ => null,
            };
            if (step is not null)
            {
                steps.Add(step);
            }
        }
        return steps;
    }
}
