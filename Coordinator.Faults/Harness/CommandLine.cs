using System.Globalization;
using Coordinator.Faults.Faults;
using Coordinator.Faults.Network;
using Coordinator.Faults.Workloads;

namespace Coordinator.Faults.Harness;

/// <summary>
/// <c>--workload registers|locks|sets|large-sets|ephemeral|watch|all --replicas 3|5 --runs N --duration SECONDS --seed S [--keep]
/// [--faults kill,pause,partition,isolate,wipe] [--network auto|namespaces|transport] [--unsafe-local-sync] [--drop-replayed-event] [--service PATH]
/// [--large-mib M] [--tls] [--auth]</c>;
/// run k uses seed S + k.
/// </summary>
internal sealed record CommandLine(RunOptions Template, int Runs)
{
    public const string Usage =
        "usage: Coordinator.Faults --workload registers|locks|sets|large-sets|ephemeral|watch|all [--replicas 3|5] [--runs N] [--duration SECONDS]"
        + " [--seed S] [--keep] [--faults kill,pause,partition,isolate,wipe] [--network auto|namespaces|transport] [--unsafe-local-sync] [--drop-replayed-event]"
        + " [--service PATH] [--large-mib M] [--tls] [--auth]";

    /// <exception cref="ArgumentException">The arguments say something else; the message says what.</exception>
    public static CommandLine Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--keep" or "--unsafe-local-sync" or "--drop-replayed-event" or "--tls" or "--auth":
                    flags.Add(args[i]);
                    break;
                case "--workload" or "--replicas" or "--runs" or "--duration" or "--seed" or "--faults" or "--network" or "--service" or "--large-mib" when i + 1 < args.Length:
                    values[args[i]] = args[++i];
                    break;
                default:
                    throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }
        var workload = values.GetValueOrDefault("--workload") ?? throw new ArgumentException("--workload is required");
        var workloads = workload == "all" ? WorkloadCatalog.Names : [workload];
        if (workloads.Except(WorkloadCatalog.Names).Any())
        {
            throw new ArgumentException($"unknown workload '{workload}'");
        }
        var replicas = Number(values, "--replicas", 3);
        if (replicas is not (3 or 5))
        {
            throw new ArgumentException("--replicas must be 3 or 5");
        }
        var template = new RunOptions
        {
            Workloads = workloads,
            Replicas = replicas,
            Duration = TimeSpan.FromSeconds(Number(values, "--duration", 30)),
            Seed = Number(values, "--seed", Random.Shared.Next(1, 1_000_000)),
            Faults = values.TryGetValue("--faults", out var faults) ? ParseFaults(faults) : FaultKind.All,
            Network = values.GetValueOrDefault("--network", "auto") switch
            {
                "auto" => NetworkKind.Auto,
                "namespaces" => NetworkKind.Namespaces,
                "transport" => NetworkKind.Transport,
                var other => throw new ArgumentException($"unknown network '{other}' (expected auto, namespaces, transport)"),
            },
            LargeValueBudgetBytes = Number(values, "--large-mib", (int)(LargeValues.DefaultBudgetBytes / (1024 * 1024))) * 1024L * 1024,
            Keep = flags.Contains("--keep"),
            UnsafeLocalSync = flags.Contains("--unsafe-local-sync"),
            DropReplayedEvent = flags.Contains("--drop-replayed-event"),
            Tls = flags.Contains("--tls"),
            Auth = flags.Contains("--auth"),
            ServiceDll = values.GetValueOrDefault("--service") ?? ServiceLocator.FindServiceDll(),
        };
        return new CommandLine(template, Number(values, "--runs", 1));
    }

    private static FaultKind ParseFaults(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Aggregate(FaultKind.None, (kinds, name) => kinds | name switch
        {
            "kill" => FaultKind.Kill,
            "pause" => FaultKind.Pause,
            "partition" => FaultKind.PartitionReplicas,
            "isolate" => FaultKind.IsolateFromClients,
            "wipe" => FaultKind.Wipe,
            _ => throw new ArgumentException($"unknown fault '{name}' (expected kill, pause, partition, isolate, wipe)"),
        });

    private static int Number(Dictionary<string, string> values, string name, int fallback) =>
        !values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0 ? number
        : throw new ArgumentException($"{name} needs a non-negative integer, not '{text}'");
}
