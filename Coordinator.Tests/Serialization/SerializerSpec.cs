using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Client.Serialization;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Service.Runtime;
using Coordinator.Service.Serialization;
using AkkaSerialization = Akka.Serialization.Serialization;

namespace Coordinator.Tests.Serialization;

/// <summary>
/// Every type bound to a Coordinator serializer in the service's reference.conf (Paxos messages, journal events,
/// snapshots, the replica protocol, the client protocol) is found by reflection, built with a non-default value in
/// every field, serialized by the serializer its binding picks in a real ActorSystem, read back and compared field
/// by field. A new message without a codec case, or without a binding, fails here.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SerializerSpec : IDisposable
{
    private static readonly Assembly[] Assemblies =
        [typeof(PaxosMessage).Assembly, typeof(ReplicaSerializer).Assembly, typeof(ClientProtocolSerializer).Assembly];

    private static readonly Type[] AllTypes = [.. Assemblies.SelectMany(a => a.GetTypes())];

    private readonly ActorSystem _system = ActorSystem.Create(
        "serializer-spec",
        ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ReplicaHost.ReferenceConfig));

    private readonly SampleBuilder _samples = new(ConcreteSubtypes);

    public void Dispose() => _system.Dispose();

    [Fact]
    public void Every_bound_type_round_trips_through_the_serializer_its_binding_picks()
    {
        var failures = new List<string>();
        var manifests = new Dictionary<(int Serializer, string Manifest), Type>();
        var covered = 0;
        foreach (var (bound, serializerName) in CoordinatorBindings())
        {
            var expected = SerializerIds[serializerName];
            foreach (var type in ConcreteSubtypes(bound))
            {
                try
                {
                    var sample = _samples.Build(type);
                    var serializer = _system.Serialization.FindSerializerFor(sample);
                    if (serializer.Identifier != expected)
                    {
                        failures.Add($"{type.Name}: bound to {serializer.GetType().Name}, expected {serializerName}");
                        continue;
                    }
                    var manifest = AkkaSerialization.ManifestFor(serializer, sample);
                    if (manifests.TryGetValue((serializer.Identifier, manifest), out var other))
                    {
                        failures.Add($"{type.Name}: manifest '{manifest}' is also {other.Name}'s");
                    }
                    manifests[(serializer.Identifier, manifest)] = type;
                    var bytes = serializer.ToBinary(sample);
                    var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
                    if (StructuralEquality.FirstDifference(sample, back, type.Name) is { } difference)
                    {
                        failures.Add($"{type.Name}: round trip changed {difference}");
                    }
                    covered++;
                }
                catch (Exception e) when (e is ArgumentException or SerializationException or InvalidOperationException or TargetInvocationException)
                {
                    failures.Add($"{type.Name}: {e.GetBaseException().Message}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        // Paxos 11, acceptor events 3, snapshot 1, replica protocol 8, client protocol 18 when this was written.
        Assert.True(covered >= 41, $"only {covered} bound types found");
    }

    [Fact]
    public void Every_request_and_response_type_is_bound_to_a_coordinator_serializer()
    {
        var ours = SerializerIds.Values.ToHashSet();
        var unbound = AllTypes
            .Where(t => t is { IsClass: true, IsAbstract: false } && (t.Name.EndsWith("Request", StringComparison.Ordinal) || t.Name.EndsWith("Response", StringComparison.Ordinal)))
            .Where(t => !ours.Contains(_system.Serialization.FindSerializerForType(t).Identifier))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(unbound.Count == 0, $"would cross the wire as JSON: {string.Join(", ", unbound)}");
    }

    [Fact]
    public void Every_transaction_and_result_round_trips_through_the_log_codec()
    {
        var failures = new List<string>();
        foreach (var type in ConcreteSubtypes(typeof(Transaction)))
        {
            var sample = (Transaction)_samples.Build(type);
            var decoded = TransactionCodec.Decode(TransactionCodec.Encode(sample));
            var difference = decoded.IsOk ? StructuralEquality.FirstDifference(sample, decoded.Value, type.Name) : decoded.Error.ToString();
            if (difference is not null)
            {
                failures.Add($"{type.Name}: {difference}");
            }
        }
        foreach (var type in ConcreteSubtypes(typeof(OpResult)))
        {
            var sample = (OpResult)_samples.Build(type);
            var decoded = ResultCodec.Decode(ResultCodec.Encode(sample));
            var difference = decoded.IsOk ? StructuralEquality.FirstDifference(sample, decoded.Value, type.Name) : decoded.Error.ToString();
            if (difference is not null)
            {
                failures.Add($"{type.Name}: {difference}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Unknown_manifests_are_refused_with_a_serialization_exception()
    {
        foreach (var id in SerializerIds.Values)
        {
            Assert.Throws<SerializationException>(() => _system.Serialization.Deserialize([1], id, "no-such-manifest"));
        }
    }

    private static readonly Dictionary<string, int> SerializerIds = new()
    {
        ["coordinator-replica"] = 7301,
        ["coordinator-client"] = 7302,
    };

    /// <summary>The bindings of reference.conf that name a Coordinator serializer, as (base type, serializer name).</summary>
    private static IEnumerable<(Type Bound, string Serializer)> CoordinatorBindings()
    {
        var bindings = ReplicaHost.ReferenceConfig.GetConfig("akka.actor.serialization-bindings").AsEnumerable().ToList();
        Assert.NotEmpty(bindings);
        foreach (var (typeName, value) in bindings)
        {
            var serializer = value.GetString();
            if (SerializerIds.ContainsKey(serializer))
            {
                yield return (Type.GetType(typeName, throwOnError: true)!, serializer);
            }
        }
    }

    private static List<Type> ConcreteSubtypes(Type bound) =>
        [.. AllTypes.Where(t => !t.IsAbstract && !t.IsInterface && !t.IsGenericTypeDefinition && bound.IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal)];
}
