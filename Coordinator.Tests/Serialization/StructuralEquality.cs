using System.Collections;
using System.Reflection;

namespace Coordinator.Tests.Serialization;

/// <summary>
/// Compares two object graphs by value: scalars and strings by Equals, sequences element by element whatever
/// their collection type (records compare arrays by reference, so their own Equals is useless here), everything
/// else property by property.
/// </summary>
internal static class StructuralEquality
{
    /// <summary>Null when equal, else where they first differ.</summary>
    public static string? FirstDifference(object? expected, object? actual, string path = "")
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: {Show(expected)} vs {Show(actual)}";
        }
        if (expected is IEnumerable sequence and not string && actual is IEnumerable)
        {
            var left = sequence.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            if (left.Count != right.Count)
            {
                return $"{path}: {left.Count} elements vs {right.Count}";
            }
            for (var i = 0; i < left.Count; i++)
            {
                if (FirstDifference(left[i], right[i], $"{path}[{i}]") is { } difference)
                {
                    return difference;
                }
            }
            return null;
        }
        var type = expected.GetType();
        if (type != actual.GetType())
        {
            return $"{path}: {type.Name} vs {actual.GetType().Name}";
        }
        if (type.IsPrimitive || type.IsEnum || expected is string or decimal)
        {
            return expected.Equals(actual) ? null : $"{path}: {Show(expected)} vs {Show(actual)}";
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
            {
                continue;
            }
            if (FirstDifference(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } difference)
            {
                return difference;
            }
        }
        return null;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => value.ToString() ?? value.GetType().Name,
    };
}
