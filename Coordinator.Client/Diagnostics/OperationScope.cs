using System.Diagnostics;

namespace Coordinator.Client.Diagnostics;

/// <summary>One call being measured: its operation, its span (if anyone traces), and when it started (0: nobody measures).</summary>
internal readonly struct OperationScope(ClientTelemetry.Operation operation, Activity? activity, long startedAt)
{
    public ClientTelemetry.Operation Operation { get; } = operation;

    public Activity? Activity { get; } = activity;

    public long StartedAt { get; } = startedAt;

    public void Complete(ErrorCode code) => ClientTelemetry.Finish(this, code);

    public void Fail(Exception failure) => ClientTelemetry.Finish(this, failure);
}
