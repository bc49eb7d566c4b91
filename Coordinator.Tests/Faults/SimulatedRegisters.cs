using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

/// <summary>
/// Produces linearizable histories by running real registers: each client invokes an operation, later applies it to
/// the register at one instant (its linearization point), later completes; a seeded <see cref="Random"/> interleaves
/// those steps across clients, so operations overlap arbitrarily. Some operations end Unknown, applied or not; some
/// writes fail without effect; written values are unique so a mutation can pick a value never written.
/// </summary>
internal sealed class SimulatedRegisters(int seed, int clients, int keys)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, long?> _registers = [];
    private readonly List<Operation> _history = [];
    private long _nextValue = 1;
    private long _nextId = 1;

    public IReadOnlyList<Operation> Run(int operations)
    {
        var pending = new Pending?[clients];
        long now = 0;
        while (_history.Count < operations || pending.Any(slot => slot is not null))
        {
            now += 1 + _random.Next(10);
            var client = _random.Next(clients);
            switch (pending[client])
            {
                case null when _history.Count < operations:
                    pending[client] = Invoke(client, now);
                    break;
                case { Applied: false } started when started.Fate != Fate.NeverApplies:
                    pending[client] = started with { Operation = Apply(started.Operation), Applied = true };
                    break;
                case { } started:
                    _history.Add(Complete(started, now));
                    pending[client] = null;
                    break;
            }
        }
        return [.. _history.OrderBy(operation => operation.Id)];
    }

    private Pending Invoke(int client, long now)
    {
        var key = $"k{_random.Next(keys)}";
        var function = _random.Next(3) switch { 0 => "read", 1 => "write", _ => "cas" };
        long? value = function == "read" ? null : _nextValue++;
        long? expected = function == "cas" ? Expected(key) : null;
        var fate = _random.Next(20) switch
        {
            0 => Fate.UnknownAfterApplying,
            1 => Fate.NeverApplies,
            _ => Fate.Normal,
        };
        return new Pending(new Operation(_nextId++, client, function, key, value, expected, now, null, Outcome.Unknown, null, null), fate, Applied: false);
    }

    private long? Expected(string key)
    {
        var current = _registers.GetValueOrDefault(key);
        return _random.Next(2) == 0 || current is null ? current : current - 1;
    }

    private Operation Apply(Operation operation)
    {
        var current = _registers.GetValueOrDefault(operation.Key);
        switch (operation.Function)
        {
            case "read":
                return operation with { Outcome = Outcome.Ok, Result = current };
            case "write":
                _registers[operation.Key] = operation.Value;
                return operation with { Outcome = Outcome.Ok };
            case "cas" when current == operation.Expected:
                _registers[operation.Key] = operation.Value;
                return operation with { Outcome = Outcome.Ok };
            default:
                return operation with { Outcome = Outcome.Failed };
        }
    }

    private Operation Complete(Pending pending, long now) => pending.Fate switch
    {
        Fate.Normal => pending.Operation with { CompletedNanos = now },
        Fate.NeverApplies when pending.Operation.Function == "write" && _random.Next(2) == 0 =>
            pending.Operation with { CompletedNanos = now, Outcome = Outcome.Failed },
        _ => pending.Operation with { Outcome = Outcome.Unknown, Result = null },
    };

    private enum Fate
    {
        Normal,
        UnknownAfterApplying,
        NeverApplies,
    }

    private sealed record Pending(Operation Operation, Fate Fate, bool Applied);
}
