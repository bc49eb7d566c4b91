using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

/// <summary>
/// Writes checker fixtures as a timeline: each call appends one operation with the next id. A null completion time is
/// an operation still outstanding at the end, which the file format reads back as Unknown.
/// </summary>
internal sealed class HistoryBuilder
{
    private readonly List<Operation> _operations = [];

    public HistoryBuilder Read(int client, long invoked, long completed, long? result, string key = "x") =>
        Add(client, "read", key, null, null, invoked, completed, Outcome.Ok, result);

    public HistoryBuilder Write(int client, long invoked, long? completed, long value, Outcome outcome = Outcome.Ok, string key = "x") =>
        Add(client, "write", key, value, null, invoked, completed, outcome, null);

    public HistoryBuilder Cas(int client, long invoked, long? completed, long? expected, long value, Outcome outcome, string key = "x") =>
        Add(client, "cas", key, value, expected, invoked, completed, outcome, null);

    public HistoryBuilder Add(
        int client, string function, string key, long? value, long? expected, long invoked, long? completed, Outcome outcome, long? result)
    {
        _operations.Add(new Operation(
            _operations.Count + 1, client, function, key, value, expected, invoked, completed, outcome,
            outcome == Outcome.Ok ? result : null, outcome == Outcome.Failed ? "refused" : null));
        return this;
    }

    public IReadOnlyList<Operation> Build() => _operations;
}
