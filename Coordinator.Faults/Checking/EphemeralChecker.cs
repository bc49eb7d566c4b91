using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// Checks an ephemeral-node workload: a node exists exactly while its owning session lives (DESIGN.md §4, invariant 8).
/// <para>
/// Operations: "open" starts the session <see cref="Operation.Client"/> and creates its ephemeral node at
/// <see cref="Operation.Key"/>; "close" ends session Client; "expire" is the harness killing session Client's client
/// (invoked when the kill starts, completed once the client can no longer heartbeat); "check" reads whether
/// <see cref="Operation.Key"/> exists, Result 1 or 0, and is linearizable (the harness issues sync then read), so it
/// observed the node at one instant within its interval. A client id may start several sessions one after another: a
/// close or expire belongs to the latest open of that client invoked before it.
/// </para>
/// <para>
/// When a node could exist: from its open's invocation (a Failed open created nothing) until it surely was gone — the
/// completion of an Ok close (closing deletes the session's ephemerals in the same transaction), or
/// <c>sessionTimeout</c> after a completed expire, whichever is earlier; with neither, until the end. Leadership
/// moves that deadline (see <see cref="LeaderTerms"/>): "leader" instants (a replica took the lead, Value = its id)
/// and "fault" instants (a replica was killed, paused or cut off, or its log says it stepped down as leader, Value =
/// its id). When it surely
/// existed: after its Ok open completed and before the invocation of an Ok close of its session. Only an Ok close
/// proves the session was alive that long (closing an expired session does not report Ok); a killed session, or one
/// the service expired on its own behind a partition, may have ended any time after its open, so it proves nothing.
/// </para>
/// Violations: an Ok check saw the node present when no session could have held it (before any open of it was invoked,
/// or only after every owner was surely gone), or saw it absent within a window where some session surely held it.
/// </summary>
public static class EphemeralChecker
{
    /// <param name="history">The workload's operations.</param>
    /// <param name="sessionTimeout">
    /// How long after its client stopped (or after a later leader election) the service may take to delete a
    /// session's ephemerals: the negotiated session timeout plus the slack of the expiry's trip through the log.
    /// </param>
    /// <exception cref="ArgumentException">
    /// An operation is not "open", "close", "expire", "check", "leader" or "fault", or an Ok check's result is not 0 or 1.
    /// </exception>
    public static CheckResult Check(IReadOnlyList<Operation> history, TimeSpan sessionTimeout)
    {
        var terms = LeaderTerms.From(history);
        var lifetimes = Lifetimes([.. history.Where(operation => operation.Function is not ("leader" or "fault"))], sessionTimeout.Ticks * (1_000_000_000 / TimeSpan.TicksPerSecond), terms);
        var byNode = lifetimes.ToLookup(lifetime => lifetime.Node);
        var violations = new List<string>();
        var checks = 0;
        foreach (var check in history.Where(operation => operation is { Function: "check", Outcome: Outcome.Ok }))
        {
            checks++;
            var (from, to) = (check.InvokedNanos, check.CompletedOrEndNanos);
            var owners = byNode[check.Key];
            switch (check.Result)
            {
                case 1 when !owners.Any(owner => owner.MayExistWithin(from, to)):
                    violations.Add($"node \"{check.Key}\" seen present when no session could hold it: {OperationText.Describe(check)}\n" +
                        string.Concat(owners.Select(owner => $"  owner {Describe(owner)}\n")));
                    break;
                case 0 when owners.FirstOrDefault(owner => owner.SurelyExistsThroughout(from, to)) is { } owner:
                    violations.Add($"node \"{check.Key}\" seen absent while its session surely held it: {OperationText.Describe(check)}\n" +
                        $"  owner {Describe(owner)}\n");
                    break;
                case 0 or 1:
                    break;
                default:
                    throw new ArgumentException($"a check returns 0 or 1: {OperationText.Describe(check)}", nameof(history));
            }
        }
        return violations.Count == 0
            ? CheckResult.Valid($"{checks} checks agree with the lifetimes of {lifetimes.Count} sessions")
            : CheckResult.Invalid(string.Join("\n", violations));
    }

    private static List<SessionLifetime> Lifetimes(IReadOnlyList<Operation> history, long sessionTimeoutNanos, LeaderTerms terms)
    {
        var lifetimes = new List<SessionLifetime>();
        var sessionEvents = history
            .Where(operation => operation.Function switch
            {
                "open" or "close" or "expire" => true,
                "check" => false,
                _ => throw new ArgumentException($"not an ephemeral operation: {OperationText.Describe(operation)}", nameof(history)),
            })
            .GroupBy(operation => operation.Client);
        foreach (var client in sessionEvents)
        {
            Operation? open = null;
            Operation? close = null;
            var goneBy = long.MaxValue;
            foreach (var operation in client.OrderBy(operation => operation.InvokedNanos).ThenBy(operation => operation.Id))
            {
                switch (operation.Function, operation.Outcome, operation.CompletedNanos)
                {
                    case ("open", _, _):
                        if (open is not null)
                        {
                            lifetimes.Add(new SessionLifetime(open, close, goneBy));
                        }
                        (open, close, goneBy) = (operation, null, long.MaxValue);
                        break;
                    case ("close", Outcome.Ok, { } completed):
                        close ??= operation;
                        goneBy = Math.Min(goneBy, completed);
                        break;
                    case ("expire", not Outcome.Failed, { } completed):
                        goneBy = Math.Min(goneBy, terms.ExpiryDeadline(completed, sessionTimeoutNanos));
                        break;
                }
            }
            if (open is not null)
            {
                lifetimes.Add(new SessionLifetime(open, close, goneBy));
            }
        }
        return lifetimes;
    }


    private static string Describe(SessionLifetime lifetime)
    {
        var close = lifetime.Close is null ? "no Ok close" : OperationText.Describe(lifetime.Close);
        var goneBy = lifetime.GoneByNanos == long.MaxValue ? "never surely gone" : $"surely gone by {lifetime.GoneByNanos} ns";
        return $"{OperationText.Describe(lifetime.Open)}; {close}; {goneBy}";
    }
}
