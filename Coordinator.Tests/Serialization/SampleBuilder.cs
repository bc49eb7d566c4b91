using System.Collections;
using System.Collections.Immutable;
using System.Reflection;

namespace Coordinator.Tests.Serialization;

/// <summary>
/// Builds an instance of a message type with a distinct, non-default value in every field, so a codec that drops
/// or swaps a field fails the round trip. Abstract element types get one of each concrete subtype; a type never
/// contains itself (a multi holds no multi), and singletons (a static Instance) are used as they are.
/// </summary>
internal sealed class SampleBuilder(Func<Type, IReadOnlyList<Type>> concreteSubtypes)
{
    private readonly Stack<Type> _building = new();
    private long _next = 1;

    public object Build(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Build(underlying);
        }
        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1)!;
        }
        if (ElementType(type) is { } element)
        {
            return List(type, element);
        }
        if (type.IsAbstract)
        {
            return Build(Candidates(type)[0]);
        }
        if (type.GetProperty("Instance", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is { } singleton && singleton.GetType() == type)
        {
            return singleton;
        }
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(c => !c.GetParameters().Any(p => p.ParameterType == type))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"{type} has no constructor the sample builder can call.");
        _building.Push(type);
        try
        {
            return constructor.Invoke([.. constructor.GetParameters().Select(p => Build(p.ParameterType))]);
        }
        finally
        {
            _building.Pop();
        }
    }

    private object? Scalar(Type type)
    {
        var n = _next++;
        return type switch
        {
            _ when type == typeof(long) => n * 1_000_003L,
            _ when type == typeof(int) => (int)n * 101,
            _ when type == typeof(byte) => (byte)(n % 200 + 1),
            _ when type == typeof(bool) => true,
            _ when type == typeof(string) => $"/sample-{n}",
            _ when type == typeof(byte[]) => new byte[] { 1, 2, 3, (byte)n },
            _ => null,
        };
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(ImmutableArray<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IList<>) || definition == typeof(List<>)))
        {
            return type.GetGenericArguments()[0];
        }
        return null;
    }

    /// <summary>Two elements, or one of each concrete subtype of an abstract element type.</summary>
    private object List(Type listType, Type element)
    {
        var items = element.IsAbstract
            ? Candidates(element).Select(Build).ToList()
            : [Build(element), Build(element)];
        var array = Array.CreateInstance(element, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(items[i], i);
        }
        if (listType.IsGenericType && listType.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            return typeof(ImmutableArray).GetMethods()
                .Single(m => m.Name == nameof(ImmutableArray.ToImmutableArray) && m.GetParameters() is [{ ParameterType.IsGenericType: true } p]
                    && p.ParameterType.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                .MakeGenericMethod(element)
                .Invoke(null, [array])!;
        }
        if (listType.IsGenericType && listType.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(listType)!;
            foreach (var item in items)
            {
                list.Add(item);
            }
            return list;
        }
        return array;
    }

    private List<Type> Candidates(Type abstractType)
    {
        var candidates = concreteSubtypes(abstractType).Where(t => !_building.Contains(t)).ToList();
        return candidates.Count > 0 ? candidates : throw new InvalidOperationException($"No concrete {abstractType} to build.");
    }
}
