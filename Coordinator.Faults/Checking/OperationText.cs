using System.Globalization;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>One line per operation for explanations: enough to find it in the history file and in the logs.</summary>
internal static class OperationText
{
    public static string Describe(Operation operation)
    {
        var arguments = new List<string>();
        if (operation.Expected is { } expected)
        {
            arguments.Add($"expected {expected}");
        }
        if (operation.Value is { } value)
        {
            arguments.Add(value.ToString(CultureInfo.InvariantCulture));
        }
        var result = operation.Outcome == Outcome.Ok ? $" -> {Value(operation.Result)}" : string.Empty;
        var completed = operation.CompletedNanos is { } nanos ? nanos.ToString(CultureInfo.InvariantCulture) : "never";
        var error = operation.Error is null ? string.Empty : $" ({operation.Error})";
        return $"#{operation.Id} client {operation.Client} {operation.Function}({string.Join(", ", arguments)}) " +
               $"{operation.Outcome}{result}{error} [invoked {operation.InvokedNanos} ns, completed {completed} ns]";
    }

    public static string Value(long? value) => value is { } known ? known.ToString(CultureInfo.InvariantCulture) : "null";
}
