using Coordinator.Client;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>
/// Maps how a call ended to an outcome. Failed only when the cluster (or the workload's resource) definitely refused
/// without applying anything; whatever may have taken effect - timeouts, lost connections, a session the client
/// declared expired while a write was in flight, NoQuorum (the gateway gave up but the leader may still choose it) -
/// is Unknown.
/// </summary>
internal static class OutcomeClassifier
{
    private static readonly HashSet<ErrorCode> Refusals =
    [
        ErrorCode.NoNode, ErrorCode.NodeExists, ErrorCode.BadVersion, ErrorCode.NotEmpty, ErrorCode.NoChildrenForEphemerals,
        ErrorCode.InvalidPath, ErrorCode.DataTooLarge, ErrorCode.BadArguments, ErrorCode.NotLockHolder, ErrorCode.NotLockWaiter,
        ErrorCode.LockBusy, ErrorCode.LockAlreadyRequested, ErrorCode.NotALease, ErrorCode.StaleToken,
    ];

    public static Outcome Classify(Exception error) => error switch
    {
        OperationRefused => Outcome.Failed,
        SessionExpiredException => Outcome.Unknown,
        CoordinatorException refused when Refusals.Contains(refused.Code) => Outcome.Failed,
        RequestRejectedException { Reason: RejectionReason.TooManyInFlight or RejectionReason.RequestTooLarge } => Outcome.Failed,
        _ => Outcome.Unknown,
    };
}
