using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coordinator.Core.Protocol;
using Tag = Coordinator.Core.Protocol.TransactionCodec.Tag;

namespace Coordinator.Client.Diagnostics;

/// <summary>
/// The client library's meter and activity source, shared by every client of the process. Tags are cached pairs, so
/// a measured call allocates nothing beyond what the listener itself keeps; a call nobody traces starts no activity.
/// </summary>
internal static class ClientTelemetry
{
    private static readonly string Version = typeof(ClientTelemetry).Assembly.GetName().Version?.ToString() ?? "";
    private static readonly Meter Meter = new(CoordinatorDiagnostics.MeterName, Version);
    private static readonly ActivitySource Source = new(CoordinatorDiagnostics.ActivitySourceName, Version);

    private static readonly Counter<long> Operations = Meter.CreateCounter<long>("coordinator.client.operations", "{operation}",
        "Calls to the cluster, by operation and result (ok, or the error code).");
    private static readonly Histogram<double> Durations = Meter.CreateHistogram("coordinator.client.operation.duration", "s",
        "Calls to the cluster, from the call until its answer, by operation.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
        });
    private static readonly UpDownCounter<int> Sessions = Meter.CreateUpDownCounter<int>("coordinator.client.sessions", "{session}",
        "Clients of this process whose session is connected, or disconnected and looking for a server.");
    private static readonly Counter<long> StateChanges = Meter.CreateCounter<long>("coordinator.client.state.changes", "{change}",
        "Connection state changes, by the state entered (disconnected, reconnected, expired...).");

    private static readonly Operation UnknownOperation = new("unknown");
    private static readonly Operation[] WriteOperations = Names(Enum.GetValues<Tag>(), tag => (int)tag);
    private static readonly Operation[] ReadOperations = Names(Enum.GetValues<ReadKind>(), kind => (int)kind);
    private static readonly KeyValuePair<string, object?>[] Results = Pairs("result", Enum.GetValues<ErrorCode>(), code => (int)code);
    private static readonly KeyValuePair<string, object?>[] States = Pairs("state", Enum.GetValues<ConnectionState>(), state => (int)state);
    private static readonly KeyValuePair<string, object?> Connected = new("state", "connected");
    private static readonly KeyValuePair<string, object?> Disconnected = new("state", "disconnected");
    private static readonly KeyValuePair<string, object?> Other = new("result", "other");

    /// <summary>Starts measuring a write; <paramref name="encoded"/> is the transaction as it goes on the wire.</summary>
    public static OperationScope StartWrite(byte[] encoded, string? path, long sessionId) =>
        Start(TransactionCodec.PeekTag(encoded) is { } tag ? WriteOperations[(int)tag] : UnknownOperation, path, sessionId);

    public static OperationScope StartRead(ReadKind kind, string path, long sessionId) => Start(ReadOperations[(int)kind], path, sessionId);

    /// <summary>A published connection state: moves this client between the connected and disconnected counts.</summary>
    /// <param name="counted">What this client counts as now (null before its first state and after its last).</param>
    public static KeyValuePair<string, object?>? StateChanged(KeyValuePair<string, object?>? counted, ConnectionState state)
    {
        StateChanges.Add(1, States[(int)state]);
        KeyValuePair<string, object?>? next = state switch
        {
            ConnectionState.Connected or ConnectionState.Reconnected => Connected,
            ConnectionState.Disconnected => Disconnected,
            _ => null,
        };
        if (!Equals(counted, next))
        {
            if (counted is { } before)
            {
                Sessions.Add(-1, before);
            }
            if (next is { } after)
            {
                Sessions.Add(1, after);
            }
        }
        return next;
    }

    /// <summary>The client stopped (disposed or abandoned) while it was still counted.</summary>
    public static void Stopped(KeyValuePair<string, object?>? counted)
    {
        if (counted is { } before)
        {
            Sessions.Add(-1, before);
        }
    }

    private static OperationScope Start(Operation operation, string? path, long sessionId)
    {
        var activity = Source.HasListeners() ? Source.StartActivity(operation.SpanName, ActivityKind.Client) : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("coordinator.operation", operation.Name);
            activity.SetTag("coordinator.path", path);
            activity.SetTag("coordinator.session_id", sessionId);
        }
        return new OperationScope(operation, activity, Operations.Enabled || Durations.Enabled ? Stopwatch.GetTimestamp() : 0);
    }

    internal static void Finish(in OperationScope scope, ErrorCode code)
    {
        var result = (int)code < Results.Length ? Results[(int)code] : Other;
        if (scope.StartedAt != 0)
        {
            Operations.Add(1, scope.Operation.Tag, result);
            Durations.Record(Stopwatch.GetElapsedTime(scope.StartedAt).TotalSeconds, scope.Operation.Tag);
        }
        if (scope.Activity is { } activity)
        {
            if (code != ErrorCode.Ok)
            {
                activity.SetStatus(ActivityStatusCode.Error, code.ToString());
                activity.SetTag("error.type", code.ToString());
            }
            activity.Dispose();
        }
    }

    /// <summary>A call that ended without an answer code: cancelled, disposed, or a bug.</summary>
    internal static void Finish(in OperationScope scope, Exception failure)
    {
        if (failure is CoordinatorException coordinator)
        {
            Finish(scope, coordinator.Code);
            return;
        }
        var result = new KeyValuePair<string, object?>("result", failure is OperationCanceledException ? "cancelled" : "failed");
        if (scope.StartedAt != 0)
        {
            Operations.Add(1, scope.Operation.Tag, result);
        }
        if (scope.Activity is { } activity)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            activity.SetTag("error.type", failure.GetType().FullName);
            activity.Dispose();
        }
    }

    private static Operation[] Names<T>(T[] values, Func<T, int> index)
        where T : struct, Enum
    {
        var names = new Operation[values.Max(index) + 1];
        Array.Fill(names, UnknownOperation);
        foreach (var value in values)
        {
            names[index(value)] = new Operation(SnakeCase(value.ToString()));
        }
        return names;
    }

    private static KeyValuePair<string, object?>[] Pairs<T>(string key, T[] values, Func<T, int> index)
        where T : struct, Enum
    {
        var pairs = new KeyValuePair<string, object?>[values.Max(index) + 1];
        foreach (var value in values)
        {
            pairs[index(value)] = new KeyValuePair<string, object?>(key, SnakeCase(value.ToString()));
        }
        return pairs;
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    internal sealed class Operation(string name)
    {
        public string Name { get; } = name;

        public string SpanName { get; } = "coordinator " + name;

        public KeyValuePair<string, object?> Tag { get; } = new("operation", name);
    }
}
