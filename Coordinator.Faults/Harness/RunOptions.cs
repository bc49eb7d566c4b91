using Coordinator.Faults.Faults;
using Coordinator.Faults.Network;
using Coordinator.Faults.Workloads;

namespace Coordinator.Faults.Harness;

/// <summary>One fault run's parameters. The seed alone decides the fault schedule.</summary>
public sealed record RunOptions
{
    /// <summary>Any of "registers", "locks", "sets", "large-sets", "ephemeral", "watch", run concurrently.</summary>
    public required IReadOnlyList<string> Workloads { get; init; }

    public int Replicas { get; init; } = 3;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int Seed { get; init; }

    public FaultKind Faults { get; init; } = FaultKind.All;

    public NetworkKind Network { get; init; } = NetworkKind.Auto;

    /// <summary>How many bytes of 64 KiB-1 MiB values the large-sets workload writes at most in the run.</summary>
    public long LargeValueBudgetBytes { get; init; } = LargeValues.DefaultBudgetBytes;

    /// <summary>Keep the run directory even when the run passes.</summary>
    public bool Keep { get; init; }

    /// <summary>Start the replicas with the deliberate stale-sync bug (coordinator.fault-injection.unsafe-local-sync).</summary>
    public bool UnsafeLocalSync { get; init; }

    /// <summary>Start the replicas with the deliberate lost-replay bug (coordinator.fault-injection.drop-replayed-event).</summary>
    public bool DropReplayedEvent { get; init; }

    /// <summary>
    /// TLS between every replica and client, with certificates made for the run by config/make-dev-certs.sh, so the
    /// checkers also judge the secured transport (issue 19).
    /// </summary>
    public bool Tls { get; init; }

    /// <summary>
    /// Authentication on: anonymous sessions refused, every workload client logged in as a user the run's super user
    /// added, and every workload node guarded by that user's digest ACL (see RunAuthentication). Combines with Tls.
    /// </summary>
    public bool Auth { get; init; }

    /// <summary>The built Coordinator.Service.dll.</summary>
    public required string ServiceDll { get; init; }

    /// <summary>Where run directories are created.</summary>
    public string RunsDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "coordinator-faults");
}
