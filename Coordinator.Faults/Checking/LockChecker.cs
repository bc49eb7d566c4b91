using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// Checks a lock workload: clients "acquire" the lock at <see cref="Operation.Key"/> and receive a fencing token
/// (<see cref="Operation.Result"/> of an Ok acquire), do a "fenced-write" of <see cref="Operation.Value"/> to the
/// shared register at that operation's <see cref="Operation.Key"/> presenting the token in
/// <see cref="Operation.Expected"/> (Ok: the register accepted it; Failed: it refused a stale token), then "release".
/// <para>
/// Mutual exclusion in real time is not checked: a holder whose session expired loses its lock without knowing, so
/// two clients may both believe they hold it. What must hold instead is what fencing promises:
/// <list type="number">
/// <item>Tokens are unique per lock: no two Ok acquires of one lock returned the same token.</item>
/// <item>Tokens follow real time: for Ok acquires A, B of one lock with A completed before B was invoked,
/// token(A) &lt; token(B).</item>
/// <item>The register never goes back: for accepted (Ok) fenced-writes A, B on one register with A completed before
/// B was invoked, token(A) &lt;= token(B). Equal tokens are one holder writing twice.</item>
/// </list>
/// Unknown and Failed acquires granted no token anyone saw, and Unknown fenced-writes may or may not have been
/// accepted, so neither constrains anything. "release" is accepted and not checked: its safety is rule 2 for the next
/// grant.
/// </para>
/// </summary>
public static class LockChecker
{
    /// <exception cref="ArgumentException">
    /// An operation is not "acquire", "release" or "fenced-write", an Ok acquire has no token, or a fenced-write
    /// presents none.
    /// </exception>
    public static CheckResult Check(IReadOnlyList<Operation> history)
    {
        var grants = new List<(Operation Operation, long Token)>();
        var accepted = new List<(Operation Operation, long Token)>();
        foreach (var operation in history)
        {
            switch (operation.Function, operation.Outcome)
            {
                case ("acquire", Outcome.Ok):
                    grants.Add((operation, operation.Result
                        ?? throw new ArgumentException($"Ok acquire without a token: {OperationText.Describe(operation)}", nameof(history))));
                    break;
                case ("fenced-write", var outcome):
                    var token = operation.Expected
                        ?? throw new ArgumentException($"fenced-write without a token: {OperationText.Describe(operation)}", nameof(history));
                    if (outcome == Outcome.Ok)
                    {
                        accepted.Add((operation, token));
                    }
                    break;
                case ("acquire", _) or ("release", _):
                    break;
                default:
                    throw new ArgumentException($"not a lock operation: {OperationText.Describe(operation)}", nameof(history));
            }
        }
        var violations = new List<string>();
        foreach (var grantsOfLock in grants.GroupBy(grant => grant.Operation.Key).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            foreach (var sameToken in grantsOfLock.GroupBy(grant => grant.Token).Where(group => group.Count() > 1))
            {
                violations.Add($"lock \"{grantsOfLock.Key}\" granted token {sameToken.Key} more than once:\n" +
                    string.Join("\n", sameToken.Select(grant => "  " + OperationText.Describe(grant.Operation))));
            }
            violations.AddRange(RealTimeViolations([.. grantsOfLock])
                .Select(pair => $"lock \"{grantsOfLock.Key}\" granted token {pair.Later.Token} after an earlier grant of " +
                    $"token {pair.Earlier.Token} had completed:\n  {OperationText.Describe(pair.Earlier.Operation)}\n" +
                    $"  {OperationText.Describe(pair.Later.Operation)}"));
        }
        foreach (var writesOfRegister in accepted.GroupBy(write => write.Operation.Key).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            violations.AddRange(RealTimeViolations([.. writesOfRegister])
                .Select(pair => $"register \"{writesOfRegister.Key}\" accepted a write fenced by token {pair.Later.Token} " +
                    $"after one fenced by token {pair.Earlier.Token} had been accepted:\n" +
                    $"  {OperationText.Describe(pair.Earlier.Operation)}\n  {OperationText.Describe(pair.Later.Operation)}"));
        }
        return violations.Count == 0
            ? CheckResult.Valid($"{grants.Count} grants and {accepted.Count} accepted fenced writes respect fencing")
            : CheckResult.Invalid(string.Join("\n", violations));
    }

    /// <summary>
    /// Pairs (earlier, later) where earlier completed before later was invoked yet later's token is lower. Equal
    /// tokens pass here: among grants the uniqueness rule reports them. One pair per offending later operation,
    /// against the highest token completed before it; a sweep in invocation order keeps it n log n.
    /// </summary>
    private static IEnumerable<((Operation Operation, long Token) Earlier, (Operation Operation, long Token) Later)> RealTimeViolations(
        IReadOnlyList<(Operation Operation, long Token)> operations)
    {
        var byCompletion = operations.OrderBy(item => item.Operation.CompletedOrEndNanos).ToList();
        var completed = 0;
        (Operation Operation, long Token)? highest = null;
        foreach (var later in operations.OrderBy(item => item.Operation.InvokedNanos).ThenBy(item => item.Operation.Id))
        {
            while (completed < byCompletion.Count && byCompletion[completed].Operation.CompletedOrEndNanos < later.Operation.InvokedNanos)
            {
                if (highest is null || byCompletion[completed].Token > highest.Value.Token)
                {
                    highest = byCompletion[completed];
                }
                completed++;
            }
            if (highest is { } earlier && later.Token < earlier.Token)
            {
                yield return (earlier, later);
            }
        }
    }
}
